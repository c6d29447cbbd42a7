"""Internal foundation data API: what fulfillment needs to validate its orders (not routed by the
gateway). See the README."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from inventory.adapters.foundation import PackComponent
from inventory.domain.items import Item
from inventory.domain.locations import Location
from inventory.entrypoints.http.dependencies import PoolDep
from inventory.entrypoints.http.errors import answered_as_api_errors
from inventory.entrypoints.http.foundation_models import (
    Component,
    Conversion,
    ItemLocationOut,
    ItemOut,
    LocationOut,
    LocationResponse,
    LookupRequest,
    LookupResponse,
    SupplierItemOut,
)
from inventory.service_layer import foundation_lookup

LOOKUP = "/internal/v1/foundation/lookup"
ITEM = "/internal/v1/items/{item}"
LOCATION = "/internal/v1/locations/{location}"
SUPPLIER_ITEM = "/internal/v1/suppliers/{supplier}/items/{item}"


def item_out(item: Item, components: list[PackComponent]) -> ItemOut:
    return ItemOut(
        item=item.item,
        description=item.description,
        item_type=item.item_type.value,
        standard_uom=item.standard_uom,
        sellable=item.sellable,
        customer_orderable=item.customer_orderable,
        supported_for_customer_orders=item.supported_for_customer_orders,
        uom_conversions=[
            Conversion(uom=uom, factor=factor) for uom, factor in sorted(item.conversions.items())
        ],
        pack_components=[Component(item=c.item, quantity=c.quantity) for c in components],
    )


def location_out(location: Location) -> LocationOut:
    return LocationOut(
        location=location.location,
        location_type=location.location_type,
        name=location.name,
        virtual=location.virtual,
        stockholding=location.stockholding,
        franchise=location.franchise,
        customer_order_location=location.customer_order_location,
        physical_warehouse=location.physical_warehouse,
        channel_id=location.channel_id,
        primary_virtual=location.primary_virtual,
    )


def foundation_router() -> APIRouter:
    router = APIRouter(tags=["internal: foundation data"])

    @router.post(LOOKUP)
    async def look_up(body: LookupRequest, pool: PoolDep) -> LookupResponse:
        """Items, locations (with the virtual warehouses of physical ones), ranging and supply, at once."""
        answer = await foundation_lookup.look_up(
            pool,
            items=body.items,
            locations=body.locations,
            item_locations=[(entry.item, entry.location) for entry in body.item_locations],
            supplier_items=[(entry.supplier, entry.item) for entry in body.supplier_items],
            at_virtual_warehouses=body.at_virtual_warehouses,
        )
        return LookupResponse(
            items=[item_out(item, components) for item, components in answer.items],
            locations=[location_out(location) for location in answer.locations],
            item_locations=[
                ItemLocationOut(item=item, location=location, ranged=status is not None, status=status)
                for (item, location), status in answer.item_locations.items()
            ],
            supplier_items=[
                SupplierItemOut(
                    supplier=supplier,
                    item=item,
                    supplier_exists=supplier in answer.suppliers,
                    supplied=found is not None,
                    primary_supplier=found is not None and found.primary_supplier,
                )
                for supplier, item, found in answer.supplier_items
            ],
        )

    @router.get(ITEM)
    async def get_item(item: Annotated[str, Path(min_length=1, max_length=25)], pool: PoolDep) -> ItemOut:
        with answered_as_api_errors(merchandising=False):
            return item_out(*await foundation_lookup.item(pool, item))

    @router.get(LOCATION)
    async def get_location(location: Annotated[int, Path(ge=1)], pool: PoolDep) -> LocationResponse:
        with answered_as_api_errors(merchandising=False):
            found = await foundation_lookup.location(pool, location)
        return LocationResponse(
            location=location_out(found[0]), virtual_warehouses=[location_out(vw) for vw in found[1:]]
        )

    @router.get(SUPPLIER_ITEM)
    async def get_supplier_item(
        supplier: Annotated[int, Path(ge=1)],
        item: Annotated[str, Path(min_length=1, max_length=25)],
        pool: PoolDep,
    ) -> SupplierItemOut:
        """200 when the supplier supplies the item; 404 (saying which is missing) otherwise."""
        with answered_as_api_errors(merchandising=False):
            found = await foundation_lookup.supplier_item(pool, supplier, item)
        return SupplierItemOut(
            supplier=supplier,
            item=item,
            supplier_exists=True,
            supplied=True,
            primary_supplier=found.primary_supplier,
        )

    return router
