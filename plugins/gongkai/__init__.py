"""Gongkai (公开): department budget disclosures as validated open data.

The core is a plain library — load (:mod:`gongkai.loader`), validate
(:mod:`gongkai.validate`), normalise (:mod:`gongkai.package`), export and
render — with thin front ends: the ``gongkai`` command and the MkDocs plugin.
"""

__version__ = "0.1.0"
