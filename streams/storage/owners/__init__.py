"""Service ownership: which team owned a service when (docs/ownership.md).

How the modules fit together:

* ``rows.py`` (pure) is the one validation of an ownership row: ``check_row``
  turns the fields of one mapping (a YAML item, a CSV line, a JSON object)
  into an :class:`~streams.storage.owners.rows.OwnerRow` or the problems found,
  each naming where it was (``FILE:LINE``); ``check_conflicts`` refuses one
  (service, valid_from) given twice with different teams.
* ``yaml_nodes.py`` (pure) reads YAML as nodes, so every value keeps its line.
* ``files.py`` (pure) parses an ownership file (YAML or CSV), ``backstage.py``
  (pure) Backstage ``catalog-info.yaml`` documents; both return
  :class:`~streams.storage.owners.rows.Parsed` (rows and problems) and never
  raise on bad input.
* ``wire.py`` (pure) is the JSON form of a load, sent by ``mttr owners`` to a
  worker that holds the embedded database (``/mttr/owners/``), checked again
  there with ``check_row``.
* ``table.py`` is the only module that touches ClickHouse:
  ``replace_source`` writes a source's rows into ``mttr.service_owners``
  (new and changed rows, delete markers for those no longer given) and
  ``periods`` reads ``mttr.service_owner_periods``.

Imports: ``schemas`` (the name and timestamp rules of the event contract),
``errors``, PyYAML and, in ``table.py`` only, clickhouse-connect.
"""
