#ifndef KOMMUNE_SERVICES_ESDH_FILE_DROP_SINK_H_
#define KOMMUNE_SERVICES_ESDH_FILE_DROP_SINK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/esdh/sink.h"

namespace kommune::esdh {

// A sink that drops each document into a folder the municipality's ESDH
// system imports from:
//   <root>/<municipality code>/<SafeFileName(case number)>/
//     0001-<file name>            one per file of the document
//     0001-<SafeFileName(key)>.json  the record without file contents, plus
//                                 "storedFiles": names, sizes and sha256s
// NNNN numbers the documents of a case in delivery order. The metadata
// file is written last, after the files are durable, so an importer should
// take a document when its .json appears. Every file is written under a
// hidden temporary name (".<name>.<pid>-<n>.tmp") in the same folder,
// fsynced, renamed into place, and the folder fsynced. A record whose key
// already has a metadata file in the case folder is not written again.
// Deliveries of one sink are serialised; two processes must not share a
// root. The municipality code comes from record.name, else from
// record.origin.resource ("municipalities/169/..."). File names with '/',
// '\', ".." or control characters are refused (INVALID_ARGUMENT); I/O
// failures are UNAVAILABLE. The receipt has no document number.
absl::StatusOr<std::unique_ptr<Sink>> MakeFileDropSink(std::string root_dir);

// A file-system-safe name for any text: bytes other than A-Z a-z 0-9 '-'
// and '.' become %XX (upper-case hex), and so does a leading '.', which
// keeps "." and ".." and hidden names out. Injective, since '%' itself is
// encoded and the result percent-decodes back to the text:
// "18/12386" -> "18%2F12386", "18%2F12386" -> "18%252F12386".
std::string SafeFileName(absl::string_view text);

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_FILE_DROP_SINK_H_
