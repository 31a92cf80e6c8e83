"""Writers: the money graph built by ``graph.build_graph``, and the open-data format.

- ``gephi.py``: GraphML and GEXF (Gephi, yEd, networkx).
- ``ftm.py``: followthemoney entities as JSON lines (OCCRP Aleph, ``ftm`` tools).
- ``opendata.py``: Kammarkollegiet's open-data CSV (demo data, test fixtures, benchmarks); the
  reader is ``extract/opendata.py``.

Every graph writer goes through ``clean.py``: attributes become plain scalars, missing values are left
out, and any personnummer-shaped number or ``pnr:`` pseudonym in a text is blanked, so an export
never holds one whatever an upstream table contained.
"""

from .ftm import write_ftm
from .gephi import write_gexf, write_graphml

__all__ = ["write_ftm", "write_gexf", "write_graphml"]
