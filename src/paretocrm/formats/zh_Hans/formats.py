"""Number formats for zh_Hans business pages.

Django's own zh_Hans formats group digits in fours with no separator (10951430); Chinese
financial statements and ERP exports group thousands with commas (10,951,430), which is
what our users compare the CRM's figures against. Dates keep Django's zh_Hans formats.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
