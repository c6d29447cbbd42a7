import pytest

from shared_contracts import topics


def test_topic_names_are_those_of_events_md():
    assert topics.EVENT_TOPICS == (
        "orders.order.v1",
        "appointments.appointment.v1",
        "inventory.stock.v1",
        "fulfillment.order.v1",
        "oms.fulfillment-order.v1",
        "oms.inventory-backorder.v1",
        "oms.item-substitution.v1",
    )


def test_dlq_appends_the_suffix():
    assert topics.dlq(topics.ORDERS) == "orders.order.v1.dlq"
    assert topics.is_dlq("orders.order.v1.dlq")
    assert not topics.is_dlq(topics.ORDERS)


def test_a_dlq_has_no_dlq():
    with pytest.raises(ValueError, match="already a dead-letter queue"):
        topics.dlq("orders.order.v1.dlq")


def test_all_topics_holds_every_topic_and_its_dlq():
    assert len(topics.ALL_TOPICS) == len(set(topics.ALL_TOPICS)) == 14
    for topic in topics.EVENT_TOPICS:
        assert topic in topics.ALL_TOPICS
        assert topics.dlq(topic) in topics.ALL_TOPICS


def test_external_topics_are_the_oms_ones():
    assert all(topic.startswith("oms.") for topic in topics.EXTERNAL_TOPICS)
    assert len(topics.EXTERNAL_TOPICS) == 3


def test_default_partitions():
    assert topics.DEFAULT_PARTITIONS == 6
