"""Availability objectives: the SLO of a service in an environment, from when on.

How the modules fit together (docs/objectives.md; the metrics they feed are
``mttr.availability_monthly``, docs/metrics.md):

* ``rows.py`` (pure) is the one validation of an objective row: ``check_row``
  turns the fields of one mapping (a YAML item, a CSV line, a JSON object)
  into an :class:`~streams.storage.objectives.rows.ObjectiveRow` or the
  problems found, each naming where it was (``FILE:LINE``);
  ``check_conflicts`` refuses one (service, environment, valid_from) given
  twice with different objectives.
* ``files.py`` (pure) parses an objectives file (YAML or CSV, the shapes of
  ``storage/rowfiles.py``, shared with the ownership files) and never raises
  on bad input.
* ``wire.py`` (pure) is the JSON form of a load, sent by ``mttr objectives``
  to a worker that holds the embedded database (``/mttr/objectives/``),
  checked again there with ``check_row``.
* ``table.py`` is the only module that touches ClickHouse:
  ``replace_source`` writes a source's rows into
  ``mttr.availability_objectives`` (through ``storage/sources.py``, as the
  ownership loads do) and ``periods`` reads
  ``mttr.availability_objective_periods``.

Imports: ``schemas`` (names, timestamps, severities), the ownership
package's row values (``Given``, ``Problem``, times) and, in ``table.py``
only, clickhouse-connect.
"""
