#include "services/policy/domain/content_diff.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "services/policy/domain/content_elements.h"

namespace kommune::policy {
namespace {

std::string Key(const ContentElement& e) {
  return e.id.empty() ? absl::StrCat("@", e.path) : e.id;
}

std::string SiblingList(const ContentElement& e) {
  return absl::StrCat(e.parent_id, "/", e.container);
}

struct Indexed {
  std::vector<ContentElement> elements;
  absl::flat_hash_map<std::string, size_t> by_key;
};

Indexed Index(const v1::PolicyContent& content) {
  Indexed out;
  out.elements = ListElements(content);
  for (size_t i = 0; i < out.elements.size(); ++i) {
    out.by_key.emplace(Key(out.elements[i]), i);
  }
  return out;
}

// Each element's rank among the siblings that exist, in the same list, in
// both revisions: a move changes it, an insertion or removal does not.
absl::flat_hash_map<std::string, int> SharedRanks(const Indexed& self,
                                                  const Indexed& other) {
  absl::flat_hash_map<std::string, int> next_rank;
  absl::flat_hash_map<std::string, int> rank;
  for (const ContentElement& e : self.elements) {
    auto it = other.by_key.find(Key(e));
    if (it == other.by_key.end() ||
        SiblingList(other.elements[it->second]) != SiblingList(e)) {
      continue;
    }
    rank[Key(e)] = next_rank[SiblingList(e)]++;
  }
  return rank;
}

v1::ContentChange Change(v1::ContentChange::Kind kind,
                         const ContentElement& e) {
  v1::ContentChange c;
  c.set_kind(kind);
  c.set_element_id(e.id);
  c.set_element_type(e.type);
  c.set_path(e.path);
  return c;
}

}  // namespace

std::vector<v1::ContentChange> DiffContent(const v1::PolicyContent& before,
                                           const v1::PolicyContent& after) {
  Indexed old_index = Index(before);
  Indexed new_index = Index(after);
  auto old_ranks = SharedRanks(old_index, new_index);
  auto new_ranks = SharedRanks(new_index, old_index);
  std::vector<v1::ContentChange> changes;
  for (const ContentElement& e : new_index.elements) {
    auto it = old_index.by_key.find(Key(e));
    if (it == old_index.by_key.end()) {
      v1::ContentChange c = Change(v1::ContentChange::KIND_ADDED, e);
      c.set_after_text(e.text);
      changes.push_back(std::move(c));
      continue;
    }
    const ContentElement& old = old_index.elements[it->second];
    bool moved = SiblingList(old) != SiblingList(e) ||
                 old_ranks[Key(e)] != new_ranks[Key(e)];
    if (!moved && old.text == e.text) continue;
    v1::ContentChange c = Change(v1::ContentChange::KIND_CHANGED, e);
    c.set_before_text(old.text);
    c.set_after_text(e.text);
    if (moved) c.set_before_path(old.path);
    changes.push_back(std::move(c));
  }
  for (const ContentElement& e : old_index.elements) {
    if (new_index.by_key.contains(Key(e))) continue;
    v1::ContentChange c = Change(v1::ContentChange::KIND_REMOVED, e);
    c.set_before_text(e.text);
    changes.push_back(std::move(c));
  }
  return changes;
}

}  // namespace kommune::policy
