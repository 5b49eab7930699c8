"""Printed documents: ReportLab PDFs of a case (receipt, reply letter, confirmation, record, escalation
report), signed with the organisation's certificate through pyHanko and archived on the case.

Sits beside the services and uses them; imports no Qt, so the CLI and tests print without a display.
"""
