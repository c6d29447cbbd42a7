"""An SP sees and changes only its own orders and CDGs: anyone else's ids answer 404, never data."""

from shared_contracts.distributor import paths

from .distributor import error_of


async def test_sp_b_gets_404_for_sp_a_on_every_endpoint(distributor, fake_appointments):
    sp_a, sp_b = distributor(), distributor()
    order = await sp_a.create_order()
    order_id, sub_order_id = order["orderId"], order["subOrders"][0]["subOrderId"]
    await sp_a.enrich_all(order)
    fake_appointments.confirm(order_id, sub_order_id)
    cdg = (await sp_a.group([order_id])).json()
    own = await sp_b.create_order()

    for response in (
        await sp_b.install(order_id, sub_order_id),
        await sp_b.ship(order_id, sub_order_id),
        await sp_b.bill(order),
        await sp_b.group([order_id]),
        await sp_b.group([own["orderId"]], cdg_id=cdg["cdgId"]),
        await sp_b.summary(orderId=order_id),
        await sp_b.summary(cdgId=cdg["cdgId"]),
        await sp_b.submit(orderId=order_id),
        await sp_b.submit(cdgId=cdg["cdgId"]),
        await sp_b.call("GET", paths.ORDER.format(orderId=order_id)),
    ):
        assert error_of(response)[:2] == (404, "NOT_FOUND"), response.text
        assert order_id not in response.text.replace(f"Order {order_id} not found", "")

    listed = (await sp_b.call("GET", paths.ORDERS)).json()
    assert [view["orderId"] for view in listed["orders"]] == [own["orderId"]]
    summary = (await sp_a.summary(orderId=order_id)).json()["orders"][0]
    assert (summary["orderStatus"], summary["cdgId"]) == ("DRAFT", cdg["cdgId"])
    assert (await sp_a.submit(cdgId=cdg["cdgId"])).status_code == 200


async def test_a_connectors_two_credentials_see_two_disjoint_sets(distributor):
    connector_sp_a, connector_sp_b = distributor(), distributor()
    a_orders = {(await connector_sp_a.create_order())["orderId"] for _ in range(2)}
    b_orders = {(await connector_sp_b.create_order())["orderId"]}
    seen_a = {view["orderId"] for view in (await connector_sp_a.call("GET", paths.ORDERS)).json()["orders"]}
    seen_b = {view["orderId"] for view in (await connector_sp_b.call("GET", paths.ORDERS)).json()["orders"]}
    assert (seen_a, seen_b) == (a_orders, b_orders)


async def test_sandbox_and_production_orders_of_one_sp_are_kept_apart(distributor):
    sandbox = distributor()
    production = distributor(sp_id=sandbox.sp_id, environment="production")
    order = await sandbox.create_order()
    assert (await production.summary(orderId=order["orderId"])).status_code == 404
    assert (await production.call("GET", paths.ORDERS)).json()["total"] == 0
