#!/usr/bin/python3
"""Writes the API reference (docs/api/) from the comments in proto/.

Reads a FileDescriptorSet made with --include_imports --include_source_info
(the one the build makes, build/gen/kommune_api.binpb, has both) and writes
one Markdown file per package, kommune.<area>.v1.md, with its services,
methods, messages and enums, plus README.md as the index. The output
depends on the contracts only, never on the time or the machine, so that
tools/apidoc/check.sh can compare it with what is committed.

Runs on Debian's python3 with python3-protobuf (/usr/bin/python3, not a
pyenv one):

  tools/apidoc/generate.py                  # runs protoc itself over proto/
  tools/apidoc/generate.py --descriptor_set=build/gen/kommune_api.binpb
  tools/apidoc/generate.py --out=/tmp/api   # somewhere else than docs/api
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

try:
    from google.protobuf import descriptor_pb2
except ImportError:
    sys.exit("generate.py: needs Debian's python3-protobuf "
             "(apt-get install python3-protobuf) and /usr/bin/python3")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
GENERATOR = "tools/apidoc/generate.py"
F = descriptor_pb2.FieldDescriptorProto
SCALARS = {
    F.TYPE_DOUBLE: "double", F.TYPE_FLOAT: "float", F.TYPE_INT64: "int64",
    F.TYPE_UINT64: "uint64", F.TYPE_INT32: "int32", F.TYPE_FIXED64: "fixed64",
    F.TYPE_FIXED32: "fixed32", F.TYPE_BOOL: "bool", F.TYPE_STRING: "string",
    F.TYPE_BYTES: "bytes", F.TYPE_UINT32: "uint32", F.TYPE_SFIXED32: "sfixed32",
    F.TYPE_SFIXED64: "sfixed64", F.TYPE_SINT32: "sint32",
    F.TYPE_SINT64: "sint64",
}
WKT_URL = "https://protobuf.dev/reference/protobuf/google.protobuf/#"
# Paths in SourceCodeInfo (descriptor.proto's field numbers).
FILE_MESSAGE, FILE_ENUM, FILE_SERVICE = 4, 5, 6
MSG_FIELD, MSG_NESTED, MSG_ENUM = 2, 3, 4
ENUM_VALUE = 2
SERVICE_METHOD = 2


# --------------------------------------------------------------------------
# Reading the descriptor set


def wkt_include_dir():
    for d in ("/usr/include", "/usr/local/include"):
        if os.path.exists(os.path.join(d, "google/protobuf/timestamp.proto")):
            return d
    return None


def build_descriptor_set(proto_root, out):
    """Runs protoc as proto/CMakeLists.txt does, into out."""
    protos = sorted(
        os.path.relpath(p, proto_root)
        for p in glob.glob(os.path.join(proto_root, "kommune", "**", "*.proto"),
                           recursive=True))
    if not protos:
        sys.exit("generate.py: no .proto files under %s/kommune" % proto_root)
    cmd = ["protoc", "--include_imports", "--include_source_info",
           "--descriptor_set_out=" + out, "-I" + proto_root]
    inc = wkt_include_dir()
    if inc:
        cmd.append("-I" + inc)
    subprocess.run(cmd + protos, cwd=proto_root, check=True)


def load_files(path):
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    return list(fds.file)


# --------------------------------------------------------------------------
# Comments and Markdown


def clean_comment(text):
    """A comment's lines without the one space after // and blank ends."""
    lines = [l[1:] if l.startswith(" ") else l for l in text.split("\n")]
    lines = [l.rstrip() for l in lines]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def escape_md(text, in_table=False):
    """Escapes Markdown outside `code spans`, so comments read as written."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`\n]*`)", text)):
        if i % 2 == 1:
            out.append(part.replace("|", "\\|") if in_table else part)
            continue
        part = part.replace("\\", "\\\\").replace("*", "\\*")
        # "<" only where it could open an HTML tag; ">" only as a quote.
        part = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", part)
        part = re.sub(r"^(\s*)>", r"\1\\>", part, flags=re.M)
        # Underscores only matter at the edges of words (foo_bar is safe).
        part = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", part)
        if in_table:
            part = part.replace("|", "\\|")
        out.append(part)
    return "".join(out)


def paragraphs(text):
    paras, cur = [], []
    for line in text.split("\n"):
        if line.strip():
            cur.append(line.strip())
        elif cur:
            paras.append(cur)
            cur = []
    if cur:
        paras.append(cur)
    return paras


def block(text):
    """A comment as Markdown paragraphs (lines starting '- ' stay a list)."""
    lines = [escape_md(l) for l in text.split("\n")]
    return "\n".join(lines)


def cell(text):
    """A comment on one line, for a table cell."""
    return "<br><br>".join(
        escape_md(" ".join(p), in_table=True) for p in paragraphs(text))


def first_paragraph(text):
    paras = paragraphs(text)
    return escape_md(" ".join(paras[0]), in_table=True) if paras else ""


def github_slug(title):
    """The anchor GitHub gives a heading."""
    slug = title.strip().lower()
    slug = re.sub(r"[^\w\- ]", "", slug)
    return slug.replace(" ", "-")


# --------------------------------------------------------------------------
# The model: every type and service of the kommune packages


class Item:
    """A message, enum or service with its comment and file."""

    def __init__(self, kind, full_name, local_name, proto, comment, file):
        self.kind = kind            # "message", "enum", "service"
        self.full_name = full_name  # kommune.policy.v1.ContentChange.Kind
        self.local_name = local_name  # ContentChange.Kind
        self.proto = proto
        self.comment = comment
        self.file = file            # FileDescriptorProto
        self.package = file.package
        self.anchor = None
        self.children = {}          # path tail -> comment (fields, values)


class Model:

    def __init__(self, files):
        self.files = [f for f in files if f.package.startswith("kommune.")]
        self.items = {}     # full name -> Item, for every kommune type
        self.map_entries = {}  # full name -> (key field, value field)
        self.packages = {}  # package -> list of Items in document order
        missing = [f.name for f in self.files
                   if not f.source_code_info.location]
        if missing:
            sys.exit("generate.py: the descriptor set has no source info for "
                     "%s; make it with protoc --include_source_info"
                     % ", ".join(missing))
        for f in sorted(self.files, key=lambda f: f.name):
            self._read_file(f)

    def _read_file(self, f):
        comments = {}
        for loc in f.source_code_info.location:
            text = loc.leading_comments
            if loc.trailing_comments.strip():
                text = (text + "\n" + loc.trailing_comments) if text.strip() \
                    else loc.trailing_comments
            if text.strip():
                comments[tuple(loc.path)] = clean_comment(text)
        items = self.packages.setdefault(f.package, [])

        def add(kind, local, proto, path):
            full = f.package + "." + local
            item = Item(kind, full, local, proto, comments.get(path, ""), f)
            self.items[full] = item
            items.append(item)
            return item

        def walk_message(msg, local, path):
            if msg.options.map_entry:
                self.map_entries[f.package + "." + local] = (
                    msg.field[0], msg.field[1])
                return
            item = add("message", local, msg, path)
            for i, _ in enumerate(msg.field):
                item.children[i] = comments.get(path + (MSG_FIELD, i), "")
            for i, nested in enumerate(msg.nested_type):
                walk_message(nested, local + "." + nested.name,
                             path + (MSG_NESTED, i))
            for i, enum in enumerate(msg.enum_type):
                walk_enum(enum, local + "." + enum.name, path + (MSG_ENUM, i))

        def walk_enum(enum, local, path):
            item = add("enum", local, enum, path)
            for i, _ in enumerate(enum.value):
                item.children[i] = comments.get(path + (ENUM_VALUE, i), "")

        for i, svc in enumerate(f.service):
            item = add("service", svc.name, svc, (FILE_SERVICE, i))
            for j, _ in enumerate(svc.method):
                item.children[j] = comments.get(
                    (FILE_SERVICE, i, SERVICE_METHOD, j), "")
        for i, msg in enumerate(f.message_type):
            walk_message(msg, msg.name, (FILE_MESSAGE, i))
        for i, enum in enumerate(f.enum_type):
            walk_enum(enum, enum.name, (FILE_ENUM, i))


# --------------------------------------------------------------------------
# Writing one package


def doc_name(package):
    return package + ".md"


class PackageDoc:

    def __init__(self, model, package):
        self.model = model
        self.package = package
        items = model.packages[package]
        self.services = [i for i in items if i.kind == "service"]
        self.messages = [i for i in items if i.kind == "message"]
        self.enums = [i for i in items if i.kind == "enum"]
        self.files = sorted({i.file.name for i in items} |
                            {f.name for f in model.files
                             if f.package == package})
        # Anchors in heading order, numbered as GitHub numbers repeats.
        self.method_anchor = {}
        used = {}

        def anchor(title):
            slug = github_slug(title)
            n = used.get(slug, 0)
            used[slug] = n + 1
            return slug if n == 0 else "%s-%d" % (slug, n)

        anchor(package)
        if self.services:
            anchor("Services")
            for s in self.services:
                s.anchor = anchor(s.local_name)
                for m in s.proto.method:
                    self.method_anchor[(s.local_name, m.name)] = anchor(
                        s.local_name + "." + m.name)
        if self.messages:
            anchor("Messages")
            for m in self.messages:
                m.anchor = anchor(m.local_name)
        if self.enums:
            anchor("Enums")
            for e in self.enums:
                e.anchor = anchor(e.local_name)

    # Links ---------------------------------------------------------------

    def type_link(self, type_name):
        """A link to a message or enum given as '.pkg.Name'."""
        full = type_name.lstrip(".")
        item = self.model.items.get(full)
        if item is None:
            if full.startswith("google.protobuf."):
                short = full[len("google.protobuf."):]
                return "[`%s`](%s%s)" % (full, WKT_URL, short.lower())
            return "`%s`" % full
        if item.package == self.package:
            return "[`%s`](#%s)" % (item.local_name, item.anchor)
        return "[`%s`](%s#%s)" % (full, doc_name(item.package), item.anchor)

    def field_type(self, field):
        if field.type in (F.TYPE_MESSAGE, F.TYPE_GROUP) and \
                field.type_name.lstrip(".") in self.model.map_entries:
            key, value = self.model.map_entries[field.type_name.lstrip(".")]
            if value.type in SCALARS:
                return "`map<%s, %s>`" % (SCALARS[key.type],
                                          SCALARS[value.type])
            return "map from `%s` to %s" % (SCALARS[key.type],
                                            self.value_type(value))
        t = self.value_type(field)
        if field.label == F.LABEL_REPEATED:
            return "repeated " + t
        if field.proto3_optional:
            return "optional " + t
        return t

    def value_type(self, field):
        if field.type in (F.TYPE_MESSAGE, F.TYPE_ENUM, F.TYPE_GROUP):
            return self.type_link(field.type_name)
        return "`%s`" % SCALARS[field.type]

    def source_link(self, item):
        return "[`%s`](../../proto/%s)" % (item.file.name, item.file.name)

    # Sections ------------------------------------------------------------

    def render(self):
        out = ["# %s" % self.package, ""]
        out += [
            "Generated by `%s` from the comments in the files" % GENERATOR,
            "below. Do not edit: change the comments and run the generator",
            "(`tools/apidoc/check.sh` fails while this page is out of date).",
            ""]
        out += ["- [`%s`](../../proto/%s)" % (f, f) for f in self.files]
        out += ["", "[All packages](README.md) · [Calling the API](../api.md)"
                " · [Versioning](../versioning.md)", ""]
        if self.services:
            out += ["Services: " + ", ".join(
                "[%s](#%s)" % (s.local_name, s.anchor) for s in self.services)
                + ".", ""]
        else:
            out += ["No services: this package holds configuration or shared"
                    " messages only.", ""]
        if self.services:
            out += ["## Services", ""]
            for s in self.services:
                out += self.render_service(s)
        if self.messages:
            out += ["## Messages", ""]
            for m in self.messages:
                out += self.render_message(m)
        if self.enums:
            out += ["## Enums", ""]
            for e in self.enums:
                out += self.render_enum(e)
        while out and out[-1] == "":
            out.pop()
        return "\n".join(out) + "\n"

    def render_service(self, s):
        full = s.full_name
        out = ["### %s" % s.local_name, ""]
        if s.comment:
            out += [block(s.comment), ""]
        out += ["`%s`, defined in %s." % (full, self.source_link(s)), ""]
        out += ["| Method | Request | Response | Summary |",
                "|---|---|---|---|"]
        for j, m in enumerate(s.proto.method):
            out.append("| [%s](#%s) | %s | %s | %s |" % (
                m.name, self.method_anchor[(s.local_name, m.name)],
                self.stream(m.client_streaming, m.input_type),
                self.stream(m.server_streaming, m.output_type),
                first_paragraph(s.children[j])))
        out.append("")
        for j, m in enumerate(s.proto.method):
            out += self.render_method(s, j, m)
        return out

    def stream(self, streaming, type_name):
        link = self.type_link(type_name)
        return "stream " + link if streaming else link

    def render_method(self, s, j, m):
        out = ["#### %s.%s" % (s.local_name, m.name), ""]
        if s.children[j]:
            out += [block(s.children[j]), ""]
        out.append("- Request: " + self.stream(m.client_streaming,
                                                m.input_type))
        out.append("- Response: " + self.stream(m.server_streaming,
                                                 m.output_type))
        level = m.options.idempotency_level
        request = self.model.items.get(m.input_type.lstrip("."))
        has_request_id = request is not None and any(
            f.name == "request_id" for f in request.proto.field)
        if level == descriptor_pb2.MethodOptions.NO_SIDE_EFFECTS:
            idem = ("`NO_SIDE_EFFECTS`: a read that changes nothing; safe to "
                    "retry")
        elif level == descriptor_pb2.MethodOptions.IDEMPOTENT:
            idem = "`IDEMPOTENT`: calling it again has no further effect"
        else:
            idem = ("not set (`IDEMPOTENCY_UNKNOWN`): the call may change "
                    "state, and the gateway audits it")
            if has_request_id:
                idem += "; a retry with the same `request_id` is safe"
        out.append("- Idempotency: " + idem)
        path = "/%s/%s" % (s.full_name, m.name)
        if m.client_streaming or m.server_streaming:
            out.append("- HTTP JSON: none (streaming; gRPC only)")
        else:
            out.append("- HTTP JSON: `POST %s`" % path)
        out.append("- gRPC: `%s`" % path)
        out.append("")
        return out

    def render_message(self, m):
        msg = m.proto
        out = ["### %s" % m.local_name, ""]
        if m.comment:
            out += [block(m.comment), ""]
        out += ["`%s`, defined in %s." % (m.full_name, self.source_link(m)),
                ""]
        if msg.field:
            out += ["| Field | JSON | Type | Number | Description |",
                    "|---|---|---|---|---|"]
            for i, field in enumerate(msg.field):
                desc = cell(m.children[i])
                notes = []
                if field.HasField("oneof_index") and not field.proto3_optional:
                    notes.append("One of `%s`."
                                 % msg.oneof_decl[field.oneof_index].name)
                if field.options.deprecated:
                    notes.append("**Deprecated.**")
                if notes:
                    desc = " ".join(notes) + (" " + desc if desc else "")
                json_name = field.json_name or field.name
                out.append("| `%s` | `%s` | %s | %d | %s |" % (
                    field.name, json_name, self.field_type(field),
                    field.number, desc))
            out.append("")
        else:
            out += ["No fields.", ""]
        out += self.reserved(msg)
        return out

    def reserved(self, proto):
        out = []
        ranges = []
        for r in proto.reserved_range:
            # Message ranges are end-exclusive, enum ranges inclusive.
            end = r.end - 1 if isinstance(
                proto, descriptor_pb2.DescriptorProto) else r.end
            ranges.append(str(r.start) if r.start == end
                          else "%d to %d" % (r.start, end))
        if ranges:
            out.append("Reserved numbers: %s." % ", ".join(ranges))
        if proto.reserved_name:
            out.append("Reserved names: %s." % ", ".join(
                "`%s`" % n for n in proto.reserved_name))
        return out + [""] if out else out

    def render_enum(self, e):
        enum = e.proto
        out = ["### %s" % e.local_name, ""]
        if e.comment:
            out += [block(e.comment), ""]
        out += ["`%s`, defined in %s. In JSON a value is written as its name."
                % (e.full_name, self.source_link(e)), ""]
        out += ["| Value | Number | Description |", "|---|---|---|"]
        for i, v in enumerate(enum.value):
            desc = cell(e.children[i])
            if v.options.deprecated:
                desc = "**Deprecated.** " + desc
            out.append("| `%s` | %d | %s |" % (v.name, v.number, desc))
        out.append("")
        out += self.reserved(enum)
        return out


# --------------------------------------------------------------------------
# The index


def render_index(model, docs):
    out = [
        "# API reference",
        "",
        "Every contract of the suite, generated by `%s`" % GENERATOR,
        "from the comments in [`proto/`](../../proto). Do not edit these"
        " files: change",
        "the comments in the `.proto` files and run the generator;",
        "`tools/apidoc/check.sh` (part of `tools/test.sh`) fails while they"
        " are out",
        "of date.",
        "",
        "- How to call: every service is behind the gateway, by gRPC on port"
        " 8443",
        "  (method `/<package>.<Service>/<Method>`) or by JSON on port 8080",
        "  (`POST /<package>.<Service>/<Method>`, the Connect protocol, unary",
        "  methods). Curl examples for the main calls:"
        " [docs/api.md](../api.md);",
        "  the gateway itself: [docs/gateway.md](../gateway.md).",
        "- What `v1` promises and how it changes:"
        " [docs/versioning.md](../versioning.md).",
        "",
        "## Packages",
        "",
        "| Package | Services | Files |",
        "|---|---|---|",
    ]
    for package in sorted(docs):
        doc = docs[package]
        services = ", ".join(
            "[%s](%s#%s)" % (s.local_name, doc_name(package), s.anchor)
            for s in doc.services) or "none (messages only)"
        files = "<br>".join("`%s`" % f for f in doc.files)
        out.append("| [%s](%s) | %s | %s |" % (
            package, doc_name(package), services, files))
    out += ["", "## Services", "",
            "| Service | Methods | What it is |", "|---|---|---|"]
    for package in sorted(docs):
        doc = docs[package]
        for s in doc.services:
            out.append("| [`%s`](%s#%s) | %d | %s |" % (
                s.full_name, doc_name(package), s.anchor,
                len(s.proto.method), first_paragraph(s.comment)))
    out += [
        "",
        "## JSON",
        "",
        "The JSON side speaks proto3 JSON, the mapping every protobuf library"
        " implements:",
        "",
        "- Field names in lowerCamelCase (the JSON column in each table:"
        " `policy_id` is",
        "  `policyId`); the gateway also accepts the proto names.",
        "- Enums as their value names (`\"POLICY_STATE_ADOPTED\"`); 64-bit"
        " integers",
        "  (`int64`, `uint64`) as strings; `bytes` as base64.",
        "- Fields left at their default (0, \"\", false, empty lists,"
        " `..._UNSPECIFIED`)",
        "  are left out of answers.",
        "- `google.protobuf.Timestamp` as RFC 3339 text"
        " (`\"2010-03-31T12:00:00Z\"`),",
        "  `google.protobuf.Duration` as seconds (`\"1.5s\"`),",
        "  `google.protobuf.FieldMask` as one string of lowerCamelCase paths",
        "  (`\"displayName,content\"`), `google.protobuf.Empty` as `{}`.",
        "- Days are the suite's own [`kommune.common.v1.Date`]"
        "(kommune.common.v1.md#date),",
        "  `{\"year\": 2010, \"month\": 3, \"day\": 31}`.",
        "",
    ]
    return "\n".join(out)


# --------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--descriptor_set",
                        help="a FileDescriptorSet with imports and source "
                        "info; default: run protoc over proto/")
    parser.add_argument("--proto_root", default=os.path.join(ROOT, "proto"))
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "api"))
    args = parser.parse_args()

    if args.descriptor_set:
        files = load_files(args.descriptor_set)
    else:
        with tempfile.TemporaryDirectory(prefix="apidoc.") as tmp:
            path = os.path.join(tmp, "kommune_api.binpb")
            build_descriptor_set(args.proto_root, path)
            files = load_files(path)

    model = Model(files)
    docs = {p: PackageDoc(model, p) for p in sorted(model.packages)}
    outputs = {doc_name(p): d.render() for p, d in docs.items()}
    outputs["README.md"] = render_index(model, docs)

    os.makedirs(args.out, exist_ok=True)
    # A package that is gone leaves no page behind.
    for old in sorted(glob.glob(os.path.join(args.out, "*.md"))):
        if os.path.basename(old) not in outputs:
            os.remove(old)
    for name in sorted(outputs):
        with open(os.path.join(args.out, name), "w", encoding="utf-8",
                  newline="\n") as f:
            f.write(outputs[name])
    print("wrote %d files to %s" % (len(outputs), args.out))


if __name__ == "__main__":
    main()
