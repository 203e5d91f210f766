"""growth_results: being built (issue 17); the page's owner replaces this file."""

from components import feedback
from locales import t

actor = feedback.page_start(t("growth_results.title"))
