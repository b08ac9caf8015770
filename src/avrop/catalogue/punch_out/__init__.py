"""Punch-out to supplier web shops: SAP OCI 4.0/5.0, cXML 1.2 and Peppol punch-out (T77).

``protocols`` builds the setup messages and reads what the shop sends back (framework-free, XML only through
``avrop.edi.xmlsafe``); ``secrets`` encrypts the shop credentials at rest; ``demo_shop`` is the small web shop
the tests and the demo punch out to. Decision record: docs/decisions/ (punch-out).
"""
