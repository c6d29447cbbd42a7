#!/usr/bin/env bash
# `make demo`: one distributor journey through the gateway with curl, against `make up`:
# create -> installation -> shipping -> billing -> dates -> book -> submit -> order CONFIRMED.
# Uses the sandbox-sp credentials of var/demo-clients.json. Prints every answer.
set -euo pipefail
source "$(dirname "$0")/env.sh"
gateway="http://127.0.0.1:$GATEWAY_PORT"
json() { "$PLATFORM_PYTHON" -c "import json,sys; print(eval(sys.argv[1], {}, {'d': json.load(sys.stdin)}))" "$1"; }
read -r client_id client_secret < <(json "next(f\"{c['client_id']} {c['client_secret']}\" for c in d if c['name'] == 'sandbox-sp')" <"$PLATFORM_VAR/demo-clients.json")
trace="demo-journey-$(date +%s)"
headers=(-H "client_id: $client_id" -H "client_secret: $client_secret" -H "x-trace-id: $trace" -H "content-type: application/json")
call() { local method=$1 path=$2; shift 2; echo ">> $method $path" >&2; curl -sS -X "$method" "${headers[@]}" "$gateway$path" "$@"; echo; }

order=$(call POST /api/v1/order -d '{"quoteId": "Q-100234", "customer": {"name": "Acme Dental"},
  "contacts": {"primary": {"firstName": "Ana", "lastName": "Diaz", "email": "ana@acme.example", "phone": "2145550100"}},
  "subOrders": [{"siteAddress": {"street": "2270 LAKESIDE BLVD", "city": "RICHARDSON", "state": "TX", "postalCode": "75082"},
                 "items": [{"item": "100100068", "quantity": 2, "orderItemType": "EQUIPMENT"}]}]}')
echo "$order"
order_id=$(json "d['orderId']" <<<"$order")
sub_order_id=$(json "d['subOrders'][0]['subOrderId']" <<<"$order")
item_id=$(json "d['subOrders'][0]['subOrderItems'][0]['orderItemId']" <<<"$order")
ids="\"orderId\": \"$order_id\", \"subOrderId\": \"$sub_order_id\""

call PUT /api/v1/order-enrichment/installation -d "{$ids,
  \"installationContacts\": [{\"firstName\": \"Ana\", \"lastName\": \"Diaz\", \"phone\": \"2145550100\", \"email\": \"ana@acme.example\"}],
  \"customerRequestedStartDate\": \"$(date -d '+7 days' +%F)\", \"customerRequestedDueDate\": \"$(date -d '+21 days' +%F)\"}"
call POST /api/v1/order-enrichment/shipping -d "{$ids,
  \"shippingAddress\": {\"street\": \"3400 W Plano\", \"city\": \"Plano\", \"state\": \"TX\", \"zip\": \"95350-1232\"}}"
call POST /api/v1/order-enrichment/billing -d "{$ids, \"quoteId\": \"Q-100234\", \"billingAccountName\": \"Acme Dental HQ\",
  \"orderedItems\": [{\"orderItemId\": \"$item_id\", \"unitPrice\": 12.99, \"currency\": \"USD\", \"billingFrequency\": \"ONE_TIME\"}]}"
dates=$(call GET "/api/v1/service-appointment/dates?orderId=$order_id&subOrderId=$sub_order_id")
echo "$dates" | cut -c1-200
start=$(json "d['appointmentDates'][0]['startDate']" <<<"$dates")
end=$(json "d['appointmentDates'][0]['endDate']" <<<"$dates")
call POST /api/v1/service-appointment -d "{$ids, \"startDate\": \"$start\", \"endDate\": \"$end\"}"
call POST /api/v1/order/submit -d "{\"orderId\": \"$order_id\"}"
for _ in $(seq 1 50); do  # fulfillment confirms asynchronously (Kafka)
  status=$(call GET "/api/v1/order/$order_id" 2>/dev/null | json "d['orderStatus']")
  [ "$status" = SUBMITTED ] || break
  sleep 0.2
done
call GET "/api/v1/order/$order_id"
echo "order $order_id: $status (x-trace-id $trace)"
