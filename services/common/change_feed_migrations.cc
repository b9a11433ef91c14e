#include "services/common/change_feed_migrations.h"

#include "services/common/migrations.h"

namespace kommune {

absl::Status ApplyChangeFeedMigrations(Database& db) {
  return ApplyMigrations(db, "change_feed", ChangeFeedMigrationFiles());
}

}  // namespace kommune
