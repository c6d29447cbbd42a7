"""What creating an order stores: the order, its sub-orders and items in order, the first status entry."""

import uuid

from shared_contracts.distributor import examples, paths

from .distributor import new_trace_id


async def test_a_created_order_is_stored_whole_with_its_first_status_entry(distributor, enrichment_service):
    sp = distributor()
    trace = new_trace_id()
    body = {
        **examples.CREATE_ORDER,
        "subOrders": [
            examples.CREATE_ORDER["subOrders"][0],
            {
                "siteAddress": examples.CREATE_ORDER["subOrders"][0]["siteAddress"],
                "items": [
                    {"item": "100100069", "quantity": 1, "orderItemType": "EQUIPMENT"},
                    {"item": "100100070", "quantity": 3, "orderItemType": "EQUIPMENT"},
                ],
            },
        ],
    }
    response = await sp.call("POST", paths.CREATE_ORDER, body, trace_id=trace)
    assert response.status_code == 201, response.text
    order = response.json()
    order_id = uuid.UUID(order["orderId"])
    pool = enrichment_service.app.state.runtime.pool

    stored = await pool.fetchrow("SELECT status, sp_id, quote_id FROM orders WHERE order_id = $1", order_id)
    assert tuple(stored) == ("DRAFT", sp.sp_id, body["quoteId"])
    sub_orders = await pool.fetch(
        "SELECT sub_order_id::text, position FROM sub_orders WHERE order_id = $1 ORDER BY position", order_id
    )
    assert [tuple(row) for row in sub_orders] == [
        (sub_order["subOrderId"], position) for position, sub_order in enumerate(order["subOrders"], start=1)
    ]
    items = await pool.fetch(
        """
        SELECT i.order_item_id::text, i.item, i.quantity, i.position
        FROM order_items i JOIN sub_orders s USING (sub_order_id)
        WHERE s.order_id = $1 ORDER BY s.position, i.position
        """,
        order_id,
    )
    assert [tuple(row) for row in items] == [
        (item["orderItemId"], item["item"], item["quantity"], position)
        for sub_order in order["subOrders"]
        for position, item in enumerate(sub_order["subOrderItems"], start=1)
    ]
    history = await pool.fetch(
        "SELECT from_status, to_status, reason, trace_id FROM order_status_history WHERE order_id = $1",
        order_id,
    )
    assert [tuple(row) for row in history] == [(None, "DRAFT", "Order created", trace)]
