"""A small, idiomatic client of the suite's gateway over gRPC.

``Client`` opens one channel to the gateway's gRPC port and attaches the
caller's credentials (a bearer token or an API key) and a default deadline
to every call. Each service of the suite is an attribute:

    client.policies       kommune.policy.v1.PolicyService
    client.hearings       kommune.hearing.v1.HearingService
    client.treatment      kommune.hearing.v1.TreatmentService
    client.followup       kommune.followup.v1.FollowUpService
    client.change_feed    kommune.common.v1.ChangeFeedService
    client.esdh           kommune.esdh.v1.EsdhConnectorService

Every RPC of a service is a method of the same name that takes the request
message (or its fields as keyword arguments) and raises ``KommuneError``
instead of ``grpc.RpcError``:

    policy = client.policies.GetPolicy(name="municipalities/169/policies/x")

``service.stub`` is the generated stub itself, on the same authenticated
channel, for anything else (futures, ``with_call``). On top of that each
service has a few helpers in Python style: list methods are generators that
follow ``next_page_token`` across pages, names may be given as short ids
(``"integration-2007"`` in the client's municipality), dates as
``datetime.date``.
"""

from __future__ import annotations

import collections
import datetime
from typing import (Any, Callable, Iterable, Iterator, Mapping, Optional,
                    Sequence, Tuple, Union)

import grpc
from google.protobuf import descriptor_pool, symbol_database

from kommune.common.v1 import change_feed_pb2, change_feed_pb2_grpc, types_pb2
from kommune.esdh.v1 import esdh_service_pb2, esdh_service_pb2_grpc
from kommune.followup.v1 import (followup_service_pb2,
                                 followup_service_pb2_grpc, indicator_pb2,
                                 report_pb2)
from kommune.hearing.v1 import (hearing_pb2, hearing_service_pb2,
                                hearing_service_pb2_grpc)
from kommune.policy.v1 import (policy_pb2, policy_service_pb2,
                               policy_service_pb2_grpc)

try:  # protobuf 4.21 and later
    from google.protobuf.message_factory import GetMessageClass as _message_class
except ImportError:  # protobuf 3.x, as in Debian 12
    def _message_class(descriptor):
        return symbol_database.Default().GetPrototype(descriptor)

try:
    from zoneinfo import ZoneInfo
except ImportError:  # Python before 3.9
    ZoneInfo = None

DateLike = Union[datetime.date, types_pb2.Date]

# The suite's calendar: deadlines and periods are Danish civil dates.
COPENHAGEN = "Europe/Copenhagen"


class KommuneError(Exception):
    """A call the suite refused or could not answer.

    Attributes:
      code: the ``grpc.StatusCode``, e.g. ``grpc.StatusCode.NOT_FOUND``.
      message: the service's message; it names the field at fault, e.g.
        ``"name: sign in to read a policy that is draft"``.
      method: the full method name, e.g.
        ``"kommune.policy.v1.PolicyService.GetPolicy"``.
    """

    def __init__(self, code: grpc.StatusCode, message: str,
                 method: str = ""):
        super().__init__(f"{code.name}: {message}" if message else code.name)
        self.code = code
        self.message = message
        self.method = method

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError,
                       method: str = "") -> "KommuneError":
        code = error.code() if hasattr(error, "code") else None
        details = error.details() if hasattr(error, "details") else None
        return cls(code or grpc.StatusCode.UNKNOWN, details or str(error),
                   method)

    def __repr__(self) -> str:
        return (f"KommuneError(code={self.code}, message={self.message!r}, "
                f"method={self.method!r})")


# --- dates -----------------------------------------------------------------


def copenhagen_today() -> datetime.date:
    """Today in Denmark (Europe/Copenhagen), the suite's calendar."""
    if ZoneInfo is None:
        raise RuntimeError("zoneinfo needs Python 3.9 or newer")
    return datetime.datetime.now(ZoneInfo(COPENHAGEN)).date()


def to_date(day: DateLike) -> types_pb2.Date:
    """A ``datetime.date`` (or a Date message) as kommune.common.v1.Date."""
    if isinstance(day, types_pb2.Date):
        return day
    return types_pb2.Date(year=day.year, month=day.month, day=day.day)


def from_date(day: types_pb2.Date) -> datetime.date:
    """A kommune.common.v1.Date as ``datetime.date``."""
    return datetime.date(day.year, day.month, day.day)


# --- calls -----------------------------------------------------------------


class _CallDetails(
        collections.namedtuple(
            "_CallDetails", ("method", "timeout", "metadata", "credentials",
                             "wait_for_ready", "compression")),
        grpc.ClientCallDetails):
    pass


class _Credentials(grpc.UnaryUnaryClientInterceptor,
                   grpc.UnaryStreamClientInterceptor,
                   grpc.StreamUnaryClientInterceptor,
                   grpc.StreamStreamClientInterceptor):
    """Adds the caller's metadata to every call, and a default deadline to
    calls that answer once (streams run until cancelled unless given one)."""

    def __init__(self, metadata: Sequence[Tuple[str, str]],
                 timeout: Optional[float]):
        self._metadata = tuple(metadata)
        self._timeout = timeout

    def _details(self, details, unary_response: bool):
        metadata = list(details.metadata or ())
        given = {key for key, _ in metadata}
        metadata.extend(
            (key, value) for key, value in self._metadata if key not in given)
        timeout = details.timeout
        if timeout is None and unary_response:
            timeout = self._timeout
        return _CallDetails(details.method, timeout, metadata,
                            details.credentials,
                            getattr(details, "wait_for_ready", None),
                            getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details, True), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._details(details, False), request)

    def intercept_stream_unary(self, continuation, details, requests):
        return continuation(self._details(details, True), requests)

    def intercept_stream_stream(self, continuation, details, requests):
        return continuation(self._details(details, False), requests)


class Stream:
    """The messages of a server stream; raises KommuneError on failure.

    Iterate it; ``cancel()`` (or leaving a ``with`` block) ends the call.
    With ``quiet_deadline`` the stream just ends when its deadline passes.
    """

    def __init__(self, call, method: str,
                 transform: Optional[Callable[[Any], Any]] = None,
                 quiet_deadline: bool = False):
        self._call = call
        self._method = method
        self._transform = transform
        self._quiet_deadline = quiet_deadline

    def __iter__(self) -> "Stream":
        return self

    def __next__(self):
        try:
            message = next(self._call)
        except grpc.RpcError as error:
            if (self._quiet_deadline and hasattr(error, "code") and
                    error.code() == grpc.StatusCode.DEADLINE_EXCEEDED):
                raise StopIteration from None
            raise KommuneError.from_rpc_error(error, self._method) from None
        return self._transform(message) if self._transform else message

    def cancel(self) -> None:
        self._call.cancel()

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *exc) -> None:
        self.cancel()


class _Rpc:
    """One RPC of a service, called with a request or its fields."""

    def __init__(self, method, multicallable):
        self.name = method.full_name
        self.request_class = _message_class(method.input_type)
        self.response_class = _message_class(method.output_type)
        self._streaming = method.server_streaming
        self._callable = multicallable
        self.__doc__ = (f"{method.full_name}({method.input_type.name}) -> "
                        f"{'stream ' if self._streaming else ''}"
                        f"{method.output_type.name}")

    def __call__(self, request=None, *, timeout: Optional[float] = None,
                 metadata: Optional[Sequence[Tuple[str, str]]] = None,
                 **fields):
        if request is None:
            request = self.request_class(**fields)
        elif fields:
            raise TypeError(f"{self.name}: give a request or its fields, "
                            f"not both")
        if self._streaming:
            return Stream(
                self._callable(request, timeout=timeout, metadata=metadata),
                self.name)
        try:
            return self._callable(request, timeout=timeout, metadata=metadata)
        except grpc.RpcError as error:
            raise KommuneError.from_rpc_error(error, self.name) from None


def paginate(rpc: Callable[[Any], Any], request, field: str) -> Iterator[Any]:
    """Yields the items in ``field`` of every page an RPC answers.

    ``rpc`` is called with ``request`` and then again with its
    ``page_token`` set to each ``next_page_token``, until one is empty. A
    generator: nothing is called before the first item is asked for.
    """
    request = type(request).FromString(request.SerializeToString())
    while True:
        response = rpc(request)
        yield from getattr(response, field)
        if not response.next_page_token:
            return
        request.page_token = response.next_page_token


def _enum(enum_type, value, prefix: str) -> int:
    """An enum value given as number, full name or short lower-case name
    ("plain_text" for DOCUMENT_FORMAT_PLAIN_TEXT)."""
    if isinstance(value, str):
        name = value.upper()
        if not name.startswith(prefix):
            name = prefix + name
        return enum_type.Value(name)
    return value


def unpack_payload(event: change_feed_pb2.Event):
    """A change feed event's payload as its message (for example a Policy),
    or None when the event has none."""
    if not event.payload.type_url:
        return None
    descriptor = descriptor_pool.Default().FindMessageTypeByName(
        event.payload.TypeName())
    message = _message_class(descriptor)()
    event.payload.Unpack(message)
    return message


# --- services --------------------------------------------------------------


class Service:
    """A service of the suite: its RPCs as methods, and ``stub``."""

    _stub_class: Any = None
    _descriptor: Any = None
    # The collection under municipalities/{m}/ that short names expand into.
    _collection = ""

    def __init__(self, client: "Client"):
        self._client = client
        self.stub = self._stub_class(client.channel)
        for method in self._descriptor.methods:
            setattr(self, method.name,
                    _Rpc(method, getattr(self.stub, method.name)))

    def name(self, resource: str) -> str:
        """A full resource name: a short id becomes
        municipalities/{municipality}/{collection}/{id}."""
        if "/" in resource or not self._collection:
            return resource
        return f"{self._client.parent}/{self._collection}/{resource}"

    def _parent(self, parent: Optional[str]) -> str:
        return parent or self._client.parent


class Policies(Service):
    """kommune.policy.v1.PolicyService."""

    _stub_class = policy_service_pb2_grpc.PolicyServiceStub
    _descriptor = policy_service_pb2.DESCRIPTOR.services_by_name[
        "PolicyService"]
    _collection = "policies"

    def list(self, *, parent: Optional[str] = None,
             states: Iterable[Union[int, str]] = (), period_year: int = 0,
             view: Union[int, str] = 0,
             page_size: int = 100) -> Iterator[policy_pb2.Policy]:
        """Every policy of the municipality (or ``parent``) the caller may
        see, across pages. ``states`` as ``"adopted"`` or enum values."""
        request = policy_service_pb2.ListPoliciesRequest(
            parent=self._parent(parent), page_size=page_size,
            states=[_enum(policy_pb2.PolicyState, s, "POLICY_STATE_")
                    for s in states],
            period_year=period_year,
            view=_enum(policy_service_pb2.PolicyView, view, "POLICY_VIEW_"))
        return paginate(self.ListPolicies, request, "policies")

    def get(self, name: str, *, revision: Optional[str] = None,
            view: Union[int, str] = "full") -> policy_pb2.Policy:
        """A policy as it stands, or at ``revision``."""
        name = self.name(name)
        if revision:
            name = f"{name}@{revision}"
        return self.GetPolicy(name=name, view=_enum(
            policy_service_pb2.PolicyView, view, "POLICY_VIEW_"))

    def revisions(self, name: str, *, view: Union[int, str] = 0,
                  page_size: int = 50) -> Iterator[policy_pb2.Policy]:
        """A policy's revisions, newest first, across pages."""
        request = policy_service_pb2.ListPolicyRevisionsRequest(
            name=self.name(name), page_size=page_size,
            view=_enum(policy_service_pb2.PolicyView, view, "POLICY_VIEW_"))
        return paginate(self.ListPolicyRevisions, request, "policies")

    def search(self, query: str, *, parent: Optional[str] = None,
               page_size: int = 50
               ) -> Iterator[policy_service_pb2.SearchResult]:
        """Full-text search hits across pages; parent "municipalities/-"
        searches every municipality's adopted policies."""
        request = policy_service_pb2.SearchPoliciesRequest(
            parent=self._parent(parent), query=query, page_size=page_size)
        return paginate(self.SearchPolicies, request, "results")

    def import_document(self, policy_id: str, document: Union[bytes, str], *,
                        format: Union[int, str] = "plain_text",
                        parent: Optional[str] = None,
                        request_id: str = ""
                        ) -> policy_service_pb2.ImportPolicyResponse:
        """Imports a document (plain text, Markdown or proto JSON) as a new
        draft ``policy_id``."""
        if isinstance(document, str):
            document = document.encode("utf-8")
        return self.ImportPolicy(
            parent=self._parent(parent), policy_id=policy_id,
            format=_enum(policy_service_pb2.DocumentFormat, format,
                         "DOCUMENT_FORMAT_"),
            document=document, request_id=request_id)

    def export(self, name: str, *, format: Union[int, str] = "markdown"
               ) -> policy_service_pb2.ExportPolicyResponse:
        """A policy (optionally name@revision) as Markdown or proto JSON."""
        return self.ExportPolicy(
            name=self.name(name),
            format=_enum(policy_service_pb2.DocumentFormat, format,
                         "DOCUMENT_FORMAT_"))


class Hearings(Service):
    """kommune.hearing.v1.HearingService."""

    _stub_class = hearing_service_pb2_grpc.HearingServiceStub
    _descriptor = hearing_service_pb2.DESCRIPTOR.services_by_name[
        "HearingService"]
    _collection = "hearings"

    def list(self, *, parent: Optional[str] = None, policy_name: str = "",
             page_size: int = 100) -> Iterator[hearing_pb2.Hearing]:
        """The municipality's hearings (of one policy), across pages."""
        request = hearing_service_pb2.ListHearingsRequest(
            parent=self._parent(parent), page_size=page_size,
            policy_name=self._client.policies.name(policy_name)
            if policy_name else "")
        return paginate(self.ListHearings, request, "hearings")

    def create(self, hearing_id: str, hearing: hearing_pb2.Hearing, *,
               parent: Optional[str] = None,
               request_id: str = "") -> hearing_pb2.Hearing:
        """Plans a hearing."""
        return self.CreateHearing(parent=self._parent(parent),
                                  hearing_id=hearing_id, hearing=hearing,
                                  request_id=request_id)

    def open(self, name: str, *, etag: str = "") -> hearing_pb2.Hearing:
        """Opens a planned hearing; its policy goes to hearing."""
        return self.OpenHearing(name=self.name(name), etag=etag)

    def submit_response(self, hearing: str, response: hearing_pb2.Response,
                        *, request_id: str = "") -> hearing_pb2.Response:
        """Submits a response to an open hearing."""
        return self.SubmitResponse(parent=self.name(hearing),
                                   response=response, request_id=request_id)

    def responses(self, hearing: str, *, page_size: int = 100
                  ) -> Iterator[hearing_pb2.Response]:
        """A hearing's responses (redacted for outsiders), across pages."""
        request = hearing_service_pb2.ListResponsesRequest(
            parent=self.name(hearing), page_size=page_size)
        return paginate(self.ListResponses, request, "responses")


class Treatment(Service):
    """kommune.hearing.v1.TreatmentService (political treatment)."""

    _stub_class = hearing_service_pb2_grpc.TreatmentServiceStub
    _descriptor = hearing_service_pb2.DESCRIPTOR.services_by_name[
        "TreatmentService"]
    _collection = "treatmentCases"


class FollowUp(Service):
    """kommune.followup.v1.FollowUpService."""

    _stub_class = followup_service_pb2_grpc.FollowUpServiceStub
    _descriptor = followup_service_pb2.DESCRIPTOR.services_by_name[
        "FollowUpService"]
    _collection = "indicators"

    def report_name(self, report: str) -> str:
        if "/" in report:
            return report
        return f"{self._client.parent}/followUpReports/{report}"

    def propose_indicators(self, policy_name: str
                           ) -> Sequence[followup_service_pb2.IndicatorProposal]:
        """Proposed indicators for the policy's success criteria that have
        none yet, in the policy's order."""
        return self.ProposeIndicators(
            policy_name=self._client.policies.name(policy_name)).proposals

    def create_indicator(self, indicator_id: str,
                         indicator: indicator_pb2.Indicator, *,
                         parent: Optional[str] = None,
                         request_id: str = "") -> indicator_pb2.Indicator:
        return self.CreateIndicator(parent=self._parent(parent),
                                    indicator_id=indicator_id,
                                    indicator=indicator, request_id=request_id)

    def indicators(self, *, parent: Optional[str] = None,
                   policy_name: str = "", page_size: int = 200
                   ) -> Iterator[indicator_pb2.Indicator]:
        """The municipality's indicators (of one policy), across pages."""
        request = followup_service_pb2.ListIndicatorsRequest(
            parent=self._parent(parent), page_size=page_size,
            policy_name=self._client.policies.name(policy_name)
            if policy_name else "")
        return paginate(self.ListIndicators, request, "indicators")

    def record_measurements(
            self, indicator: str,
            values: Union[Mapping[str, float], Iterable[Tuple[str, float]]],
            *, series: Union[int, str] = 0, source: str = "",
            request_id: str = "") -> Sequence[indicator_pb2.Measurement]:
        """Records values of one indicator by period ({"2009": 12.0}), all
        or none; a period that has a value gets a correction."""
        name = self.name(indicator)
        items = values.items() if isinstance(values, Mapping) else values
        requests = [
            followup_service_pb2.RecordMeasurementRequest(
                indicator_name=name,
                measurement=indicator_pb2.Measurement(
                    period=str(period), value=float(value),
                    series=_enum(indicator_pb2.Series, series, "SERIES_"),
                    source=source)) for period, value in items
        ]
        return self.BatchRecordMeasurements(
            parent=name.split("/indicators/")[0], requests=requests,
            request_id=request_id).measurements

    def measurements(self, indicator: str, *, show_superseded: bool = False,
                     page_size: int = 500
                     ) -> Iterator[indicator_pb2.Measurement]:
        """An indicator's measurements, oldest period first, across pages."""
        request = followup_service_pb2.ListMeasurementsRequest(
            parent=self.name(indicator), page_size=page_size,
            show_superseded=show_superseded)
        return paginate(self.ListMeasurements, request, "measurements")

    def create_report(self, report_id: str, policy_name: str, *,
                      display_name: str, as_of: Optional[DateLike] = None,
                      parent: Optional[str] = None,
                      request_id: str = "") -> report_pb2.FollowUpReport:
        """Makes and stores a draft follow-up report of the policy as of a
        day (today in Copenhagen when not given)."""
        report = report_pb2.FollowUpReport(
            policy_name=self._client.policies.name(policy_name),
            display_name=display_name,
            as_of=to_date(as_of if as_of is not None else copenhagen_today()))
        return self.CreateFollowUpReport(parent=self._parent(parent),
                                         follow_up_report_id=report_id,
                                         follow_up_report=report,
                                         request_id=request_id)

    def publish_report(self, report: str) -> report_pb2.FollowUpReport:
        return self.PublishFollowUpReport(name=self.report_name(report))

    def reports(self, *, parent: Optional[str] = None, page_size: int = 100
                ) -> Iterator[report_pb2.FollowUpReport]:
        """The municipality's reports (only published ones for outsiders),
        across pages."""
        request = followup_service_pb2.ListFollowUpReportsRequest(
            parent=self._parent(parent), page_size=page_size)
        return paginate(self.ListFollowUpReports, request, "follow_up_reports")

    def export_report(self, report: str, *, format: Union[int, str] = "html"
                      ) -> followup_service_pb2.ExportFollowUpReportResponse:
        """A stored report as Markdown or one HTML page with SVG charts."""
        return self.ExportFollowUpReport(
            name=self.report_name(report),
            format=_enum(followup_service_pb2.ReportFormat, format,
                         "REPORT_FORMAT_"))


class ChangeFeed(Service):
    """kommune.common.v1.ChangeFeedService. Through the gateway this is the
    policy service's feed."""

    _stub_class = change_feed_pb2_grpc.ChangeFeedServiceStub
    _descriptor = change_feed_pb2.DESCRIPTOR.services_by_name[
        "ChangeFeedService"]

    def list(self, *, parent: Optional[str] = None, after_sequence: int = 0,
             page_size: int = 500) -> Iterator[change_feed_pb2.Event]:
        """The events after ``after_sequence``, oldest first, across pages
        up to the newest one."""
        request = change_feed_pb2.ListEventsRequest(
            parent=self._parent(parent), after_sequence=after_sequence,
            page_size=page_size)
        return paginate(self.ListEvents, request, "events")

    def watch(self, *, parent: Optional[str] = None, after_sequence: int = 0,
              timeout: Optional[float] = None) -> Stream:
        """Events after ``after_sequence`` as they are committed. Runs until
        cancelled (``cancel()`` or a ``with`` block), or until ``timeout``
        seconds have passed, when it simply ends."""
        request = change_feed_pb2.WatchEventsRequest(
            parent=self._parent(parent), after_sequence=after_sequence)
        return Stream(self.stub.WatchEvents(request, timeout=timeout),
                      self._descriptor.methods_by_name["WatchEvents"].full_name,
                      transform=lambda response: response.event,
                      quiet_deadline=timeout is not None)


class EsdhConnector(Service):
    """kommune.esdh.v1.EsdhConnectorService."""

    _stub_class = esdh_service_pb2_grpc.EsdhConnectorServiceStub
    _descriptor = esdh_service_pb2.DESCRIPTOR.services_by_name[
        "EsdhConnectorService"]


class Client:
    """The suite through its gateway's gRPC port.

    Args:
      target: the gateway's gRPC address, "127.0.0.1:8443".
      token: a bearer token (sent as ``authorization: Bearer ...``).
      api_key: an API key (sent as ``x-api-key``). Neither: anonymous, which
        reads public things and may answer public hearings.
      municipality: the code short names and default parents use, "169".
      credentials: ``grpc.ssl_channel_credentials()`` for a TLS gateway;
        plaintext (h2c) when not given.
      timeout: the default deadline in seconds of calls that answer once.
      options: channel options for grpc.
      channel: an existing channel to use (and not close) instead.
    """

    def __init__(self, target: str, token: Optional[str] = None,
                 api_key: Optional[str] = None, municipality: str = "169", *,
                 credentials: Optional[grpc.ChannelCredentials] = None,
                 timeout: Optional[float] = 30.0,
                 options: Sequence[Tuple[str, Any]] = (),
                 channel: Optional[grpc.Channel] = None):
        self.target = target
        self.municipality = municipality
        self.timeout = timeout
        self._owns_channel = channel is None
        if channel is None:
            if credentials is not None:
                channel = grpc.secure_channel(target, credentials,
                                              options=list(options))
            else:
                channel = grpc.insecure_channel(target, options=list(options))
        self._base_channel = channel
        self._token = token
        self._api_key = api_key
        metadata = []
        if token:
            metadata.append(("authorization", f"Bearer {token}"))
        if api_key:
            metadata.append(("x-api-key", api_key))
        self.channel = grpc.intercept_channel(
            channel, _Credentials(metadata, timeout))
        self.policies = Policies(self)
        self.hearings = Hearings(self)
        self.treatment = Treatment(self)
        self.followup = FollowUp(self)
        self.change_feed = ChangeFeed(self)
        self.esdh = EsdhConnector(self)

    @property
    def parent(self) -> str:
        """municipalities/{municipality}."""
        return f"municipalities/{self.municipality}"

    def with_credentials(self, token: Optional[str] = None,
                         api_key: Optional[str] = None,
                         municipality: Optional[str] = None) -> "Client":
        """Another caller on the same channel: a client with this token or
        API key (anonymous with neither). Closing it leaves the channel
        open."""
        return Client(self.target, token=token, api_key=api_key,
                      municipality=municipality or self.municipality,
                      timeout=self.timeout, channel=self._base_channel)

    def anonymous(self) -> "Client":
        """The public's view: the same channel without credentials."""
        return self.with_credentials()

    def close(self) -> None:
        if self._owns_channel:
            self._base_channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        who = ("token" if self._token else
               "api key" if self._api_key else "anonymous")
        return (f"Client({self.target!r}, {who}, "
                f"municipality={self.municipality!r})")
