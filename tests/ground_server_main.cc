// A service with nothing but the shared ground: the change feed, health,
// reflection, call log and shutdown. Tests use it to prove what every
// service binary gets from services/common.
#include <memory>

#include "services/common/service_main.h"

int main(int argc, char** argv) {
  kommune::ServiceMainOptions options;
  options.name = "ground_server";
  options.default_port = 50090;
  options.usage =
      "ground_server: a test service built only on services/common.";
  options.setup =
      [](kommune::ServiceEnvironment&,
         kommune::ServiceHost&) -> absl::StatusOr<std::shared_ptr<void>> {
    return std::shared_ptr<void>();
  };
  return kommune::RunServiceMain(argc, argv, options);
}
