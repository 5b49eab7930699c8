"""Statistics and the monthly analysis report in the desktop: charts drawn with QPainter, the report
previewed and printed through the printing package."""
