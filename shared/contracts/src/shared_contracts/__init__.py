"""The platform's contracts: Kafka topics, the CloudEvents envelope, event data and Merchandising bodies.

- ``shared_contracts.topics``: topic names, ``dlq()``, ``ALL_TOPICS``, ``DEFAULT_PARTITIONS``
- ``shared_contracts.envelope``: header names, ``CloudEventMeta``, ``new_meta()``, ``EnvelopeError``
- ``shared_contracts.events``: every event model, ``EVENT_TYPES``, ``event_model()``, ``key_for()``
- ``shared_contracts.messages``: events to Kafka records (``meta_for``, ``OutgoingRecord``) and back
  (``receive``)
- ``shared_contracts.merchandising``: request and response models of the five Merchandising services
- ``shared_contracts.schemas``: JSON Schema export and check (``python -m shared_contracts``)
"""
