"""Every refusal of the enrichment endpoints, with its status, code and category (API.md)."""

import copy
import uuid

import pytest

from shared_contracts.distributor import examples, paths

from .distributor import DUE, START, error_of

PLANO_SITE = {"street": "3400 W Plano", "city": "Plano", "state": "TX", "postalCode": "75075"}


async def test_a_body_with_zipcode_is_refused_with_a_hint_at_the_field(distributor):
    sp = distributor()
    order = await sp.create_order()
    address = {"street": "3400 W Plano", "city": "Plano", "state": "TX", "zipcode": "95350-1232"}
    response = await sp.ship(order["orderId"], order["subOrders"][0]["subOrderId"], shippingAddress=address)
    assert error_of(response)[:3] == (400, "VALIDATION_FAILED", "VALIDATION")
    assert response.json()["validationErrors"] == [
        {
            "error": "unknown field; this endpoint expects 'zip'",
            "field": "shippingAddress.zipcode",
            "inputValue": "95350-1232",
        }
    ]
    body = copy.deepcopy(examples.CREATE_ORDER)
    body["subOrders"][0]["siteAddress"] = {"street": "S", "city": "C", "state": "TX", "zip": "75082"}
    created = await sp.call("POST", paths.CREATE_ORDER, body)
    assert created.status_code == 400
    (item,) = created.json()["validationErrors"]
    assert (item["field"], item["error"]) == (
        "subOrders[0].siteAddress.zip",
        "unknown field; this endpoint expects 'postalCode'",
    )


@pytest.mark.parametrize(
    ("path", "method"),
    [
        (paths.CREATE_ORDER, "POST"),
        (paths.INSTALLATION, "PUT"),
        (paths.SHIPPING, "POST"),
        (paths.BILLING, "POST"),
        (paths.CDG, "POST"),
        (paths.ORDER_SUMMARY, "POST"),
        (paths.SUBMIT, "POST"),
    ],
)
async def test_unknown_fields_are_refused_on_every_body(distributor, path, method):
    response = await distributor().call(method, path, {"orderId": str(uuid.uuid4()), "surprise": 1})
    assert error_of(response)[:3] == (400, "VALIDATION_FAILED", "VALIDATION")
    assert {"error": "unknown field", "field": "surprise", "inputValue": 1} in response.json()[
        "validationErrors"
    ]


async def test_limits_and_selectors_are_validated(distributor):
    sp = distributor()
    body = copy.deepcopy(examples.CREATE_ORDER)
    body["subOrders"] = body["subOrders"] * 51
    assert (await sp.call("POST", paths.CREATE_ORDER, body)).status_code == 400
    both = await sp.summary(orderId=str(uuid.uuid4()), cdgId=str(uuid.uuid4()))
    assert error_of(both)[0] == 400
    assert "exactly one of orderId and cdgId" in both.json()["validationErrors"][0]["error"]
    assert (await sp.call("GET", paths.ORDERS, params={"limit": 101})).status_code == 400
    assert (await sp.call("GET", paths.ORDERS, params={"status": "OPEN"})).status_code == 400


async def test_sandbox_installation_outside_the_mocked_addresses_is_test_data_not_authorization(distributor):
    sp = distributor()
    order = await sp.create_order()
    response = await sp.install(order["orderId"], order["subOrders"][0]["subOrderId"], siteAddress=PLANO_SITE)
    status, code, category, message = error_of(response)
    assert (status, code, category) == (422, "TEST_DATA", "TEST_DATA")
    assert "2270 LAKESIDE BLVD, RICHARDSON, TX 75082" in message


async def test_the_sub_orders_own_site_address_is_checked_when_none_is_given(distributor):
    sp = distributor()
    body = copy.deepcopy(examples.CREATE_ORDER)
    body["subOrders"][0]["siteAddress"] = PLANO_SITE
    order = await sp.create_order(subOrders=body["subOrders"])
    request = {**examples.INSTALLATION, "orderId": order["orderId"]}
    request |= {"subOrderId": order["subOrders"][0]["subOrderId"], "customerRequestedStartDate": START}
    request |= {"customerRequestedDueDate": DUE}
    del request["siteAddress"]
    assert error_of(await sp.call("PUT", paths.INSTALLATION, request))[:2] == (422, "TEST_DATA")


async def test_production_accepts_any_well_formed_address(distributor):
    sp = distributor(environment="production")
    order = await sp.create_order()
    response = await sp.install(order["orderId"], order["subOrders"][0]["subOrderId"], siteAddress=PLANO_SITE)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("start", "due", "field"),
    [
        ("2020-01-01", DUE, "customerRequestedStartDate"),
        (START, "2020-01-01", "customerRequestedDueDate"),
        (DUE, START, "customerRequestedDueDate"),
    ],
)
async def test_requested_dates_must_be_ordered_and_not_in_the_past(distributor, start, due, field):
    sp = distributor()
    order = await sp.create_order()
    response = await sp.install(
        order["orderId"],
        order["subOrders"][0]["subOrderId"],
        customerRequestedStartDate=start,
        customerRequestedDueDate=due,
    )
    assert error_of(response)[:3] == (400, "VALIDATION_FAILED", "VALIDATION")
    assert field in [item["field"] for item in response.json()["validationErrors"]]


async def test_billing_needs_the_orders_quote_and_its_items(distributor):
    sp = distributor()
    order = await sp.create_order()
    assert error_of(await sp.bill(order, quoteId="Q-OTHER"))[:3] == (422, "QUOTE_MISMATCH", "BUSINESS")
    foreign_item = [
        {"orderItemId": str(uuid.uuid4()), "unitPrice": 1, "currency": "USD", "billingFrequency": "MONTHLY"}
    ]
    assert error_of(await sp.bill(order, orderedItems=foreign_item))[:2] == (422, "UNKNOWN_ORDER_ITEM")
    item = order["subOrders"][0]["subOrderItems"][0]["orderItemId"]
    line = {"orderItemId": item, "unitPrice": 1, "currency": "USD", "billingFrequency": "MONTHLY"}
    repeated = await sp.bill(order, orderedItems=[line, line])
    assert error_of(repeated)[:2] == (400, "VALIDATION_FAILED")
    assert repeated.json()["validationErrors"][0]["field"] == "orderedItems[1].orderItemId"


async def test_unknown_orders_sub_orders_and_cdgs_are_404(distributor):
    sp = distributor()
    order = await sp.create_order()
    other = await sp.create_order()
    unknown = str(uuid.uuid4())
    sub_order_id = order["subOrders"][0]["subOrderId"]
    for response in (
        await sp.install(unknown, sub_order_id),
        await sp.install(order["orderId"], unknown),
        await sp.ship(order["orderId"], other["subOrders"][0]["subOrderId"]),
        await sp.ship("not-a-uuid", sub_order_id),
        await sp.summary(orderId=unknown),
        await sp.summary(cdgId=unknown),
        await sp.submit(orderId=unknown),
        await sp.submit(cdgId=unknown),
        await sp.group([unknown]),
        await sp.group([order["orderId"]], cdg_id=unknown),
        await sp.call("GET", paths.ORDER.format(orderId=unknown)),
    ):
        assert error_of(response)[:3] == (404, "NOT_FOUND", "NOT_FOUND"), response.text


async def test_an_order_belongs_to_one_cdg(distributor):
    sp = distributor()
    order = await sp.create_order()
    await sp.group([order["orderId"]])
    refused = await sp.group([order["orderId"]])
    assert error_of(refused)[:3] == (409, "ORDER_IN_OTHER_CDG", "BUSINESS")


async def test_a_cdg_group_is_all_or_none(distributor):
    sp = distributor()
    order = await sp.create_order()
    refused = await sp.group([order["orderId"], str(uuid.uuid4())])
    assert refused.status_code == 404
    summary = (await sp.summary(orderId=order["orderId"])).json()
    assert summary["orders"][0]["cdgId"] is None


async def test_calls_that_did_not_come_through_the_gateway_are_refused(enrichment_service):
    client = enrichment_service.client
    no_identity = await client.post(
        paths.CREATE_ORDER, json=examples.CREATE_ORDER, headers={"x-trace-id": "t"}
    )
    assert error_of(no_identity)[:3] == (401, "UNAUTHORIZED", "AUTHORIZATION")
    oms = {"x-trace-id": "t", "x-client-id": "oms", "x-environment": "production", "x-roles": "merchandising"}
    without_sp = await client.post(paths.CREATE_ORDER, json=examples.CREATE_ORDER, headers=oms)
    assert error_of(without_sp)[:3] == (403, "FORBIDDEN", "AUTHORIZATION")
    no_trace = await client.get(paths.ORDERS, headers={"x-client-id": "c", "x-sp-id": "s"})
    assert error_of(no_trace)[:2] == (400, "MISSING_TRACE_ID")
