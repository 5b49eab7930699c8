"""Printing in the desktop: the print controller and menu, the PDF preview and the signature pad."""
