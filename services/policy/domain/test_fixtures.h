#ifndef KOMMUNE_SERVICES_POLICY_DOMAIN_TEST_FIXTURES_H_
#define KOMMUNE_SERVICES_POLICY_DOMAIN_TEST_FIXTURES_H_

// Test-only access to the domain documents in fixtures/domain.

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace kommune::policy::testing {

// The Høje-Taastrup integration policy (domain/001).
inline constexpr char kPolicy001[] = "001_e954513d7125136f.txt";

inline std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(KOMMUNE_FIXTURES_DIR) + "/domain/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace kommune::policy::testing

#endif  // KOMMUNE_SERVICES_POLICY_DOMAIN_TEST_FIXTURES_H_
