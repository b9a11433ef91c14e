#ifndef KOMMUNE_SERVICES_COMMON_CHANGE_FEED_MIGRATIONS_H_
#define KOMMUNE_SERVICES_COMMON_CHANGE_FEED_MIGRATIONS_H_

#include <vector>

#include "absl/status/status.h"
#include "services/common/database.h"
#include "services/common/embedded_file.h"

namespace kommune {

// The events table's migrations, compiled in from migrations/.
std::vector<EmbeddedFile> ChangeFeedMigrationFiles();

// Applies them under the component name "change_feed".
absl::Status ApplyChangeFeedMigrations(Database& db);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_CHANGE_FEED_MIGRATIONS_H_
