"""`[wiki]` (and `[network_wiki]`): where and how fiches are written."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from bot.settings_base import Group, page_name, require_http_url
from wiki_sync.mapping import (
    DEFAULT_FICHE_CATEGORY,
    DEFAULT_PARAMETERS,
    DEFAULT_TEMPLATE,
    WikiMapping,
    duplicates,
    parameter_problem,
)


def wiki_api_url(value: str) -> str:
    """A wiki is reached through its api.php: refuse the page URL people paste."""
    url = require_http_url(value)
    if not urlsplit(url).path.endswith("api.php"):
        raise ValueError("must be the URL of the wiki's api.php")
    return url


class TemplateParameters(Group):
    """The fiche template's parameter names, to map capibot onto a template of one's own."""

    title: str = DEFAULT_PARAMETERS["title"]
    context: str = DEFAULT_PARAMETERS["context"]
    action: str = DEFAULT_PARAMETERS["action"]
    results: str = DEFAULT_PARAMETERS["results"]
    lessons: str = DEFAULT_PARAMETERS["lessons"]
    themes: str = DEFAULT_PARAMETERS["themes"]
    territory: str = DEFAULT_PARAMETERS["territory"]
    resources: str = DEFAULT_PARAMETERS["resources"]
    room: str = DEFAULT_PARAMETERS["room"]
    case: str = DEFAULT_PARAMETERS["case"]
    version: str = DEFAULT_PARAMETERS["version"]
    approved_by: str = DEFAULT_PARAMETERS["approved_by"]
    approved_on: str = DEFAULT_PARAMETERS["approved_on"]
    centre: str = DEFAULT_PARAMETERS["centre"]

    @field_validator("*")
    @classmethod
    def _usable(cls, value: str) -> str:
        problem = parameter_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _distinct(self) -> TemplateParameters:
        clashes = duplicates(self.model_dump())
        if clashes:
            first, second, name = clashes[0]
            raise ValueError(f"{first} and {second} are both the parameter {name!r}")
        return self


class WikiCategories(Group):
    """Category names besides the fiches' own (`wiki.category`); "": the bot language's."""

    withdrawn: str = ""
    themes: str = ""
    territories: str = ""
    functions: str = ""

    @field_validator("*")
    @classmethod
    def _usable(cls, value: str) -> str:
        return value if value == "" else page_name(value)


#: `WikiMapping.categories()` role -> the setting that names it.
CATEGORY_KEYS = {
    "fiches": "wiki.category",
    "withdrawn": "wiki.categories.withdrawn",
    "theme": "wiki.categories.themes",
    "territory": "wiki.categories.territories",
    "function": "wiki.categories.functions",
}


class WikiSettings(Group):
    api_url: str = "http://127.0.0.1:8089/api.php"
    username: str = "Capibot@capibot"
    password: SecretStr = SecretStr("")
    consumer_token: str = ""
    consumer_secret: SecretStr = SecretStr("")
    access_token: str = ""
    access_secret: SecretStr = SecretStr("")
    contact: str = "admin@example.org"
    template: str = DEFAULT_TEMPLATE
    category: str = DEFAULT_FICHE_CATEGORY
    template_parameters: TemplateParameters = Field(
        default_factory=TemplateParameters,
        description="Table `[wiki.template_parameters]`: the template's parameter name of "
        "each fiche field (title, context, action, results, lessons, themes, territory, "
        "resources) and of what the bot adds (room, case, version, approved_by, "
        "approved_on); distinct, non-empty, without | = { } [ ].",
    )
    categories: WikiCategories = Field(
        default_factory=WikiCategories,
        description="Table `[wiki.categories]`: names of the withdrawn fiches' category "
        "(withdrawn) and of the parents of theme, territory and function categories "
        '(themes, territories, functions); "" is the bot language\'s name (« Fiches '
        "retirées », « Thèmes »… / “Withdrawn fiches”, “Themes”…); all distinct.",
    )
    edit_interval: float = Field(default=2.0, ge=0)
    max_retries: int = Field(default=5, ge=0)
    timeout: float = Field(default=30.0, gt=0)

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return wiki_api_url(value)

    @field_validator("template", "category")
    @classmethod
    def _page_name(cls, value: str) -> str:
        return page_name(value)

    @property
    def uses_oauth(self) -> bool:
        return bool(self.consumer_token)

    def mapping(self, language: str) -> WikiMapping:
        """The names pages are rendered with (`wiki_sync.mapping`)."""
        return WikiMapping(
            template=self.template,
            parameters=self.template_parameters.model_dump(),
            fiche_category=self.category,
            withdrawn_category=self.categories.withdrawn,
            kind_categories={
                "theme": self.categories.themes,
                "territory": self.categories.territories,
                "function": self.categories.functions,
            },
            language=language,
        )


class NetworkWikiSettings(WikiSettings):
    """`[network_wiki]`: the network's shared wiki, where approved fiches of the rooms
    and fiches that opt in are published too. Empty `api_url`: no network wiki.

    Same login, template and category keys as `[wiki]`; the centre (`network.centre`)
    becomes a category there and each page links to the centre's page.
    """

    api_url: str = ""
    centre_page: str = Field(
        default="",
        description="Title of the centre's page on the network wiki, linked from each "
        'of its fiches there; "" is `network.label` (or `network.centre`).',
    )

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return value if value == "" else wiki_api_url(value)

    @field_validator("centre_page")
    @classmethod
    def _centre_page_name(cls, value: str) -> str:
        return value if value == "" else page_name(value)

    @property
    def enabled(self) -> bool:
        return bool(self.api_url)
