"""GET /internal/v1/sub-orders/{subOrderId}: what the appointment service needs of a sub-order."""

import uuid

from .distributor import DUE, KNOWN_GOOD, START

PATH = "/internal/v1/sub-orders/{}"


async def test_a_sub_order_with_its_tenant_and_installation_data(distributor, enrichment_service):
    sp = distributor()
    order = await sp.create_order()
    order_id, sub_order_id = order["orderId"], order["subOrders"][0]["subOrderId"]
    client = enrichment_service.client

    before = await client.get(PATH.format(sub_order_id), headers={"x-trace-id": "t"})
    assert before.status_code == 200
    assert before.json() == {
        "orderId": order_id,
        "subOrderId": sub_order_id,
        "spId": sp.sp_id,
        "environment": "sandbox",
        "orderStatus": "DRAFT",
        "siteAddress": KNOWN_GOOD,
        "installation": None,
    }
    await sp.install(order_id, sub_order_id)
    after = (await client.get(PATH.format(sub_order_id), headers=sp.headers())).json()
    assert after["installation"] == {
        "siteAddress": KNOWN_GOOD,
        "customerRequestedStartDate": START,
        "customerRequestedDueDate": DUE,
    }


async def test_unknown_and_other_sps_sub_orders_are_404(distributor, enrichment_service):
    sp, other = distributor(), distributor()
    order = await sp.create_order()
    client = enrichment_service.client
    sub_order_id = order["subOrders"][0]["subOrderId"]
    assert (await client.get(PATH.format(uuid.uuid4()), headers={"x-trace-id": "t"})).status_code == 404
    assert (await client.get(PATH.format("nope"), headers={"x-trace-id": "t"})).status_code == 404
    assert (await client.get(PATH.format(sub_order_id), headers=other.headers())).status_code == 404
