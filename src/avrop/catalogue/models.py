"""Catalogue versions (price lists), their items, imports with the quality gate, account rules, templates
and the search log.

Items have a stable identity per agreement and article number: an approved price list updates the rows
it changes in place and marks removed items inactive, so that templates and order lines keep pointing at the
same row and can tell when an item left the catalogue. What an import brings is staged in ``StagedItem``
first; only the coordinator's approval copies it into ``CatalogueItem``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from avrop.catalogue.workflows import PunchOutStatus, VersionStatus
from avrop.core.models import TimeStampedModel


class Digits(TypedDict):
    """A DecimalField's size, spread into its arguments (``**MONEY``)."""

    max_digits: int
    decimal_places: int


MONEY: Digits = {"max_digits": 18, "decimal_places": 4}


class InboundFile(TimeStampedModel):
    """A price-list file as it arrived, stored unchanged with its SHA-256 (archived for seven years)."""

    class Channel(models.TextChoices):
        UPLOAD = "upload", _("Uploaded in the web app")
        PORTAL = "portal", _("Supplier portal")
        FOLDER = "folder", _("Watched folder")
        PEPPOL = "peppol", _("Peppol")
        API = "api", _("API")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    supplier = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    path = models.CharField(_("stored at"), max_length=500)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("inbound price-list file")
        verbose_name_plural = _("inbound price-list files")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "supplier", "sha256"], name="catalogue_file_once"
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class CatalogueVersion(TimeStampedModel):
    """One price list of a supplier under an agreement, valid for a period; replaces the previous one."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Spreadsheet (XLSX)")
        PEPPOL = "peppol", _("Peppol Catalogue (T19)")

    Status = VersionStatus

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="catalogue_versions",
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        related_name="catalogue_versions",
    )
    supplier = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    inbound_file = models.ForeignKey(
        InboundFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="versions"
    )
    document_id = models.CharField(_("document id"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    base = models.ForeignKey(
        "self",
        verbose_name=_("compared with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    price_increases = models.PositiveIntegerField(_("price increases"), default=0)
    over_limit = models.PositiveIntegerField(_("increases above the agreement's limit"), default=0)
    unmapped = models.PositiveIntegerField(_("new items without account"), default=0)
    failure = models.TextField(_("why the import failed"), blank=True)
    # Progress of the work under way (comparing the file, then indexing): written by the task every few
    # thousand rows in its own short transaction; ``progress_total`` 0 while unknown.
    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows to do"), default=0)
    staged_at = models.DateTimeField(_("staged"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    indexed_at = models.DateTimeField(_("indexed"), null=True, blank=True)
    response_xml = models.BinaryField(_("catalogue response"), null=True, blank=True, editable=False)
    response_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="catalogue_version_number"),
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(status="active"), name="catalogue_one_active_version"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="catalogue_version_org_status")]

    def __str__(self) -> str:
        return f"{self.agreement.reference} v{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.REVIEW


class CatalogueItem(models.Model):
    """An orderable item of an agreement. Updated in place by approved price lists, never deleted."""

    class CategoryScheme(models.TextChoices):
        UNSPSC = "unspsc", _("UNSPSC")
        ECLASS = "eclass", _("eCl@ss")
        OWN = "own", _("Own category")

    class AccountSource(models.TextChoices):
        NONE = "", _("Not mapped")
        RULE = "rule", _("Mapping rule")
        MANUAL = "manual", _("Mapped by hand")

    # Fewer indexes make a million-row import faster: the organisation leads the account index, the agreement
    # the unique article index, and supplier filters run in the search index.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        related_name="catalogue_items",
        db_index=False,
    )
    supplier = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    version = models.ForeignKey(
        CatalogueVersion, verbose_name=_("last changed by"), on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("in the catalogue"), default=True)
    article_number = models.CharField(_("article number"), max_length=60)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    brand = models.CharField(_("brand"), max_length=120, blank=True)
    category_scheme = models.CharField(
        _("classification"), max_length=10, choices=CategoryScheme.choices, blank=True
    )
    category_code = models.CharField(_("category code"), max_length=40, blank=True)
    own_category = models.CharField(_("own category"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=3, help_text=_("UN/ECE Recommendation 20"))
    pack_size = models.DecimalField(_("pack size"), max_digits=12, decimal_places=3, null=True, blank=True)
    price_amount = models.DecimalField(_("price"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    price_quantity = models.DecimalField(_("price per quantity"), max_digits=12, decimal_places=3, default=1)
    price_tiers = models.JSONField(_("price tiers"), default=list, blank=True)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    image_urls = models.JSONField(_("image URLs"), default=list, blank=True)
    image = models.ImageField(_("image"), upload_to="catalogue/images/", blank=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    # Keywords the supplier adds in the portal's shop window. Kept apart from ``keywords`` (which every price
    # list overwrites) so that the next import keeps them; the search index reads both.
    shop_keywords = models.CharField(
        _("the supplier's extra keywords"), max_length=500, blank=True, default="", db_default=""
    )
    eco_labels = models.CharField(_("environmental labels"), max_length=200, blank=True)
    content_hash = models.BigIntegerField(default=0, editable=False)
    # The hash of the row as the supplier wrote it: an unchanged row is recognised without being parsed.
    raw_hash = models.BigIntegerField(default=0, editable=False)
    # The account is kept as its number so that the mapping works with or without a chart of accounts.
    account_code = models.CharField(_("account"), max_length=20, blank=True)
    account_source = models.CharField(
        _("account from"), max_length=10, choices=AccountSource.choices, blank=True
    )
    first_seen_at = models.DateTimeField(_("first listed"))
    updated_at = models.DateTimeField(_("updated"))
    removed_at = models.DateTimeField(_("left the catalogue"), null=True, blank=True)

    # Not stored: set by the search, how many more agreements offer the same supplier article.
    other_offers: int = 0

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "article_number"], name="catalogue_item_article"),
        ]
        indexes = [
            models.Index(fields=["organisation", "account_code"], name="catalogue_item_account"),
        ]

    def __str__(self) -> str:
        return f"{self.article_number} {self.name}"

    @property
    def unit_price(self):  # noqa: ANN201 (Decimal)
        return self.price_amount / (self.price_quantity or 1)

    @property
    def eco_label_list(self) -> list[str]:
        return [label for label in self.eco_labels.split(",") if label]

    @property
    def image_link(self) -> str:
        """A supplier's picture address; shown as a link, because the CSP loads pictures only from us."""
        return self.image_urls[0] if self.image_urls else ""


class StagedItem(models.Model):
    """What an import would change: added, changed or removed items, waiting for the coordinator."""

    class Change(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        REMOVED = "removed", _("Removed")
        # The same content written differently (12,50 for 12.5, another hash scheme): nothing changes for
        # requisitioners; approval only records the new form, so that next week's row is recognised at once.
        RECOGNISED = "recognised", _("Unchanged, written differently")

    version = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="staged_items", db_index=False
    )
    line = models.PositiveIntegerField(_("row"))
    change = models.CharField(_("change"), max_length=10, choices=Change.choices)
    item = models.ForeignKey(
        CatalogueItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    article_number = models.CharField(_("article number"), max_length=60)
    gtin = models.CharField(max_length=14, blank=True)
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    brand = models.CharField(max_length=120, blank=True)
    category_scheme = models.CharField(max_length=10, blank=True)
    category_code = models.CharField(max_length=40, blank=True)
    own_category = models.CharField(max_length=120, blank=True)
    unit = models.CharField(max_length=3, blank=True)
    pack_size = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    price_amount = models.DecimalField(null=True, blank=True, **MONEY)
    currency = models.CharField(max_length=3, blank=True)
    price_quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    price_tiers = models.JSONField(default=list, blank=True)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    lead_time_days = models.PositiveIntegerField(null=True, blank=True)
    image_urls = models.JSONField(default=list, blank=True)
    keywords = models.CharField(max_length=500, blank=True)
    eco_labels = models.CharField(max_length=200, blank=True)
    content_hash = models.BigIntegerField(default=0)
    raw_hash = models.BigIntegerField(default=0)
    account_code = models.CharField(max_length=20, blank=True)
    old_price_amount = models.DecimalField(null=True, blank=True, **MONEY)
    price_change_percent = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    over_limit = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("staged item")
        verbose_name_plural = _("staged items")
        indexes = [models.Index(fields=["version", "change", "line"], name="catalogue_staged_change")]

    def __str__(self) -> str:
        return f"{self.get_change_display()} {self.article_number}"


class ImportFinding(models.Model):
    """A problem found in an imported file, with file, row and column so the supplier can fix it."""

    class Severity(models.TextChoices):
        ERROR = "error", _("Error: the row is not imported")
        WARNING = "warning", _("Warning")

    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="findings")
    line = models.PositiveIntegerField(_("row"), null=True, blank=True)
    column = models.CharField(_("column"), max_length=120, blank=True)
    code = models.CharField(_("rule"), max_length=60)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    message = models.TextField(_("message"))
    article_number = models.CharField(_("article number"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("import finding")
        verbose_name_plural = _("import findings")
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["version", "line"], name="catalogue_finding_line")]

    def __str__(self) -> str:
        return f"{self.code} row {self.line}"


class ColumnMapping(TimeStampedModel):
    """How one supplier names the columns of its spreadsheets: canonical field → their header."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    supplier = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    columns = models.JSONField(_("columns"), default=dict)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "supplier"], name="catalogue_mapping_supplier"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier}"


class AccountRule(TimeStampedModel):
    """Map items to an account by UNSPSC prefix, own category or supplier (most specific rule wins)."""

    class Kind(models.TextChoices):
        UNSPSC = "unspsc", _("UNSPSC code starting with")
        CATEGORY = "category", _("Own category")
        SUPPLIER = "supplier", _("Everything from supplier")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("rule"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=120, blank=True)
    supplier = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    account_code = models.CharField(_("account"), max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("account rule")
        verbose_name_plural = _("account rules")
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "value", "supplier"], name="catalogue_account_rule_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value or self.supplier} → {self.account_code}"


class Template(TimeStampedModel):
    """A named list of items with default quantities (mall), personal or shared."""

    class Sharing(models.TextChoices):
        PERSONAL = "personal", _("Only me")
        DEPARTMENT = "department", _("My department")
        ORGANISATION = "organisation", _("Everyone in the organisation")
        REQUISITIONERS = "requisitioners", _("All requisitioners")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sharing = models.CharField(
        _("shared with"), max_length=20, choices=Sharing.choices, default=Sharing.PERSONAL
    )
    department = models.ForeignKey(
        "organisations.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "owner", "name"], name="catalogue_template_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TemplateLine(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        CatalogueItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=1)
    position = models.PositiveIntegerField(default=0)
    # Set by ``selectors.template_lines``: whether the item can still be ordered (not a column).
    available: bool

    class Meta:
        verbose_name = _("template line")
        verbose_name_plural = _("template lines")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "item"], name="catalogue_template_item"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id}"


class SearchLog(models.Model):
    """One search by a requisitioner with its hit count, so the coordinator sees what people cannot find."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    query = models.CharField(_("search terms"), max_length=200)
    normalised = models.CharField(max_length=200)
    hits = models.PositiveIntegerField(_("hits"))
    searched_at = models.DateTimeField(_("searched"), auto_now_add=True)

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")
        indexes = [
            models.Index(fields=["organisation", "hits", "normalised"], name="catalogue_search_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.query} ({self.hits})"


class MissingItemReport(TimeStampedModel):
    """ "I cannot find it": a requisitioner tells the coordinator which item is missing."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    search_terms = models.CharField(_("what you searched for"), max_length=200, blank=True)
    description = models.TextField(_("what you need"))
    quantity = models.CharField(_("how many, how often"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    case_id = models.PositiveBigIntegerField(_("case"), null=True, blank=True)

    class Meta:
        verbose_name = _("missing item report")
        verbose_name_plural = _("missing item reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.description[:60]


class PunchOutConfig(TimeStampedModel):
    """How a buyer organisation punches out to one supplier's web shop (one per supplier relation).

    The credentials (OCI user, password or token; cXML From/To/Sender identities and shared secret) are one
    Fernet token in ``credentials`` (``catalogue.punch_out.secrets``), never stored or shown in clear.
    """

    class Protocol(models.TextChoices):
        OCI4 = "oci4", _("SAP OCI 4.0")
        OCI5 = "oci5", _("SAP OCI 5.0 (XML)")
        CXML = "cxml", _("cXML 1.2")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    supplier = models.OneToOneField(
        "suppliers.Supplier", verbose_name=_("supplier"), on_delete=models.CASCADE, related_name="punch_out"
    )
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices, default=Protocol.OCI4)
    setup_url = models.URLField(_("shop address (setup URL)"), max_length=500)
    # cXML: purchase orders (and their changes and cancellations) are posted here as OrderRequest.
    order_url = models.URLField(_("order address (cXML OrderRequest)"), max_length=500, blank=True)
    language = models.CharField(_("language sent to the shop"), max_length=5, default="sv")
    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    restrict_to_agreement = models.BooleanField(_("only the agreement's assortment"), default=True)
    allowed_unspsc = models.CharField(
        _("allowed UNSPSC codes"),
        max_length=300,
        blank=True,
        help_text=_("Codes or beginnings of codes separated by commas, e.g. 4412, 14111507."),
    )
    price_tolerance_percent = models.DecimalField(
        _("price tolerance (%)"), max_digits=6, decimal_places=2, default=Decimal("0")
    )
    default_account = models.CharField(_("account when no UNSPSC rule matches"), max_length=20, blank=True)
    credentials = models.BinaryField(_("credentials (encrypted)"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("in use"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("punch-out setting")
        verbose_name_plural = _("punch-out settings")

    def __str__(self) -> str:
        return f"{self.supplier_id} {self.get_protocol_display()}"

    @property
    def unspsc_prefixes(self) -> list[str]:
        return [p.strip() for p in self.allowed_unspsc.split(",") if p.strip()]


class PunchOutSession(TimeStampedModel):
    """One trip to a supplier's shop: bound to the user and their browser session, usable once.

    ``token`` is the secret in the return (hook) URL; ``buyer_cookie`` the cXML BuyerCookie; the browser
    session is kept as a hash. The shop's return is stored raw with its SHA-256.
    """

    Status = PunchOutStatus

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    config = models.ForeignKey(PunchOutConfig, on_delete=models.PROTECT, related_name="sessions")
    supplier = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    protocol = models.CharField(_("protocol"), max_length=10, choices=PunchOutConfig.Protocol.choices)
    token = models.CharField(max_length=64, unique=True, editable=False)
    buyer_cookie = models.CharField(max_length=64, editable=False)
    browser_session = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=PunchOutStatus.choices, default=PunchOutStatus.OPEN
    )
    expires_at = models.DateTimeField(_("valid until"))
    received_at = models.DateTimeField(_("returned"), null=True, blank=True)
    joined_at = models.DateTimeField(_("added to the cart"), null=True, blank=True)
    raw_return = models.BinaryField(null=True, blank=True, editable=False)
    raw_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    result = models.JSONField(_("check"), default=dict, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)
    requisition_id = models.PositiveBigIntegerField(_("requisition"), null=True, blank=True)

    class Meta:
        verbose_name = _("punch-out session")
        verbose_name_plural = _("punch-out sessions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "user", "created_at"], name="catalogue_punch_out_user")
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id} {self.status}"


class CatalogueChange(models.Model):
    """One published change of what search finds, in the order the database numbered them: the change feed
    every node's search index follows (``avrop.catalogue.services.feed``).

    A price list that became active names its version (its items carry its id); an edit of single items (a
    supplier's keywords or picture) names the items. Written in the transaction that makes the change, so a
    change that is rolled back was never published."""

    version = models.ForeignKey(
        CatalogueVersion,
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    item_ids = models.JSONField(_("items"), default=list, blank=True)
    created_at = models.DateTimeField(_("published"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("catalogue change")
        verbose_name_plural = _("catalogue changes")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.pk} version={self.version_id} items={len(self.item_ids)}"
