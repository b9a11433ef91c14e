"""Python client for the municipal policy suite, through its gateway.

    from kommune import Client, KommuneError

    with Client("127.0.0.1:8443", token=TOKEN, municipality="169") as client:
        for policy in client.policies.list():
            print(policy.name, policy.display_name)

The message classes and gRPC stubs are generated from proto/ into
clients/python/gen/ by clients/python/setup.sh; this package makes them
importable under their proto package names, so that
``from kommune.policy.v1 import policy_pb2`` works once ``kommune`` is
importable (clients/python on sys.path).
"""

import os as _os

_GEN = _os.path.join(
    _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))), "gen",
    "kommune")
if not _os.path.isdir(_GEN):
    raise ImportError(
        f"no generated code in {_GEN}; run "
        f"{_os.path.join(_os.path.dirname(_os.path.dirname(_GEN)), 'setup.sh')}"
    )
# The generated modules (kommune.policy.v1.policy_pb2, ...) live in gen/;
# they become submodules of this package.
__path__.append(_GEN)  # noqa: F821 (a package's __path__)

from kommune.client import (  # noqa: E402
    ChangeFeed,
    Client,
    EsdhConnector,
    FollowUp,
    Hearings,
    KommuneError,
    Policies,
    Service,
    Treatment,
    copenhagen_today,
    from_date,
    paginate,
    to_date,
    unpack_payload,
)

__all__ = [
    "ChangeFeed",
    "Client",
    "EsdhConnector",
    "FollowUp",
    "Hearings",
    "KommuneError",
    "Policies",
    "Service",
    "Treatment",
    "copenhagen_today",
    "from_date",
    "paginate",
    "to_date",
    "unpack_payload",
]
