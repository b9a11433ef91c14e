#include "services/policy/domain/text_import.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/policy/domain/content_ids.h"
#include "services/policy/domain/criterion_reading.h"
#include "services/policy/domain/markdown_format.h"
#include "services/policy/domain/text_blocks.h"
#include "services/policy/domain/text_checks.h"
#include "services/policy/domain/text_fold.h"

namespace kommune::policy {
namespace {

using ::google::protobuf::RepeatedPtrField;
using markdown::Keyword;

bool IsItem(const TextBlock& b) {
  return b.type == BlockType::kBullet || b.type == BlockType::kNumbered;
}

// The text of a list item as it reads in a free paragraph.
std::string ItemLine(const TextBlock& b) {
  std::string line = b.type == BlockType::kNumbered
                         ? absl::StrCat(b.number, ". ", b.text)
                         : absl::StrCat("- ", b.text);
  return std::string(absl::StripTrailingAsciiWhitespace(line));
}

bool IsFocusText(absl::string_view text) {
  std::string folded = FoldCase(text.substr(0, 40));
  return absl::StartsWith(folded, "med ") && absl::StrContains(folded, "fokus");
}

// "SagsID" / "Sagsid.:" -> "sagsid".
std::string HeaderKey(absl::string_view label) {
  std::string out;
  for (char c : FoldCase(label)) {
    if (c != '.' && c != ':' && c != ' ') out += c;
  }
  return out;
}

class Importer {
 public:
  Importer(std::vector<TextBlock> blocks, bool markdown, ImportResult* result)
      : blocks_(std::move(blocks)),
        md_(markdown),
        result_(result),
        content_(result->policy.mutable_content()) {}

  void Run() {
    for (i_ = 0; i_ < blocks_.size(); ++i_) {
      appended_run_ = false;
      Handle(blocks_[i_]);
      run_open_ = appended_run_;
    }
  }

  // Records the focus areas a merged strategy heading also named, once
  // every focus area has an id, and notes the choices made.
  void FinishJoins() {
    for (const auto& [fa, joined] : joins_) {
      std::vector<std::string> titles;
      for (const v1::FocusArea* other : joined) {
        fa->add_joined_focus_area_ids(other->id());
        titles.push_back(
            absl::StrCat("'", other->title(), "' (", other->id(), ")"));
      }
      result_->notes.push_back(absl::StrCat(
          "The strategy heading '", fa->strategy_heading(),
          "' names several focus areas; its strategies were attached to '",
          fa->title(), "' (", fa->id(), ") and the heading also covers ",
          absl::StrJoin(titles, ", "), "."));
    }
    for (const v1::FocusArea* fa : created_) {
      result_->notes.push_back(absl::StrCat(
          "The strategy heading '", fa->title(),
          "' matched no focus area in the list, so a new focus area (",
          fa->id(), ") was made for it."));
    }
  }

 private:
  enum class Part {
    kPreamble,
    kVision,
    kObjectives,
    kFocusAreas,
    kStrategyPart,
    kMeetings,
    kBudget,
    kAttachments,
    kExtra,
  };
  // Where in a focus area's strategy part the last heading left us.
  enum class Mode {
    kNone,          // After the focus area's heading.
    kStrategyList,  // Under "Strategi": the numbered or bulleted strategies.
    kDetails,       // Under "Handleplan og succeskriterier", before "Ad 1.".
    kStrategyText,  // Under "Ad 1." before "Handleplan" / "Succeskriterier".
    kActions,       // Under "Handleplan".
    kCriteria,      // Under "Succeskriterier".
  };

  const TextBlock* Next() const {
    return i_ + 1 < blocks_.size() ? &blocks_[i_ + 1] : nullptr;
  }

  Keyword KeywordOf(const TextBlock& b) const {
    if (b.escaped ||
        (b.type != BlockType::kParagraph && b.type != BlockType::kHeading)) {
      return Keyword::kNone;
    }
    return markdown::ClassifyKeyword(b.text);
  }

  static std::string Id(const TextBlock& b) {
    return markdown::Attribute(b.attrs, "id");
  }

  void Handle(const TextBlock& b) {
    if (md_ && part_ == Part::kExtra && b.type == BlockType::kHeading &&
        b.level >= 3) {
      NewSection(b);
      return;
    }
    Keyword keyword = KeywordOf(b);
    if (markdown::IsPartKeyword(keyword)) {
      EnterPart(keyword, b);
      return;
    }
    if (part_ != Part::kPreamble && b.type == BlockType::kHeading &&
        b.level <= 2 && keyword == Keyword::kNone) {
      NewSection(b);
      return;
    }
    switch (part_) {
      case Part::kPreamble:
        return Preamble(b);
      case Part::kVision:
        return Vision(b);
      case Part::kObjectives:
        return Objectives(b);
      case Part::kFocusAreas:
        return FocusAreaList(b);
      case Part::kStrategyPart:
        return StrategyPart(b, keyword);
      case Part::kMeetings:
        return Meetings(b);
      case Part::kBudget:
        return Budget(b);
      case Part::kAttachments:
        return Attachments(b);
      case Part::kExtra:
        return Extra(b);
    }
  }

  void EnterPart(Keyword keyword, const TextBlock& b) {
    static const auto* const kParts = new absl::flat_hash_map<Keyword, Part>{
        {Keyword::kVision, Part::kVision},
        {Keyword::kObjectives, Part::kObjectives},
        {Keyword::kFocusAreas, Part::kFocusAreas},
        {Keyword::kStrategyPart, Part::kStrategyPart},
        {Keyword::kMeetings, Part::kMeetings},
        {Keyword::kBudget, Part::kBudget},
        {Keyword::kAttachments, Part::kAttachments},
        {Keyword::kExtra, Part::kExtra}};
    part_ = kParts->at(keyword);
    part_heading_ = std::string(absl::StripTrailingAsciiWhitespace(
        absl::StripSuffix(absl::StripAsciiWhitespace(b.text), ":")));
    theme_ = nullptr;
    listed_ = nullptr;
    fa_ = nullptr;
    strategy_ = nullptr;
    mode_ = Mode::kNone;
    meeting_ = nullptr;
    proposal_ = nullptr;
    section_ = nullptr;
    ResetItems();
  }

  void ResetItems() {
    open_item_ = nullptr;
    absorbs_paragraphs_ = false;
    absorbs_bullets_ = false;
    last_criterion_ = nullptr;
    pending_label_.clear();
  }

  // The open action item's first block is its text; later ones are its
  // paragraphs.
  void AbsorbIntoOpenItem(const TextBlock& b) {
    if (open_item_->text().empty()) {
      open_item_->set_text(b.text);
    } else {
      AddText(open_item_->mutable_paragraphs(), b);
    }
  }

  // Adds a paragraph, or a list item to the bullet list paragraph it
  // continues ("- a\n- b").
  void AddText(RepeatedPtrField<std::string>* paragraphs, const TextBlock& b) {
    if (b.type == BlockType::kTableRow) {
      std::vector<absl::string_view> cells =
          absl::StrSplit(b.text, '\t', absl::SkipWhitespace());
      if (!cells.empty()) paragraphs->Add(absl::StrJoin(cells, " | "));
      return;
    }
    if (!IsItem(b)) {
      // A line that held only a comment carries no text.
      if (!b.text.empty()) paragraphs->Add(std::string(b.text));
      return;
    }
    if (run_open_ && run_ != nullptr && !paragraphs->empty() &&
        run_ == paragraphs->Mutable(paragraphs->size() - 1) &&
        !b.blank_before) {
      absl::StrAppend(run_, "\n", ItemLine(b));
    } else {
      run_ = paragraphs->Add();
      *run_ = ItemLine(b);
    }
    appended_run_ = true;
  }

  // Text with no place in the structure keeps its place in a section named
  // after the part it was found in.
  void Orphan(const TextBlock& b) {
    std::string heading =
        part_heading_.empty() ? std::string(markdown::kExtra) : part_heading_;
    v1::Section*& section = orphan_sections_[heading];
    if (section == nullptr) {
      section = content_->add_extra_sections();
      section->set_heading(heading);
    }
    AddText(section->mutable_paragraphs(), b);
  }

  void NewSection(const TextBlock& b) {
    EnterPart(Keyword::kExtra, b);
    section_ = content_->add_extra_sections();
    section_->set_id(Id(b));
    section_->set_heading(b.text);
  }

  // --- Preamble: header table, title, metadata, intro ---

  void Preamble(const TextBlock& b) {
    v1::Policy& policy = result_->policy;
    if (b.type == BlockType::kTableRow) {
      HeaderRow(b);
      return;
    }
    if (markdown::Attribute(b.attrs, "meta") == "policy") {
      Metadata(b.attrs);
      return;
    }
    bool title_line = md_ ? (b.type == BlockType::kHeading && b.level == 1)
                          : (b.type == BlockType::kParagraph && !b.escaped);
    if (policy.display_name().empty() && title_line) {
      policy.set_display_name(b.text);
      return;
    }
    if (b.type == BlockType::kHeading) {
      NewSection(b);
      return;
    }
    AddText(content_->mutable_intro_paragraphs(), b);
  }

  void HeaderRow(const TextBlock& b) {
    std::vector<std::string> cells;
    for (absl::string_view c : absl::StrSplit(b.text, '\t')) {
      cells.emplace_back(absl::StripAsciiWhitespace(c));
    }
    while (!cells.empty() && cells.back().empty()) cells.pop_back();
    bool labelled = false;
    for (const std::string& c : cells)
      labelled = labelled || absl::StrContains(c, ':');
    if (labelled) {  // "Sagsid.: 1166997" cells.
      for (const std::string& c : cells) {
        size_t colon = c.find(':');
        if (colon == std::string::npos) {
          AddHeader(c, "");
        } else {
          AddHeader(absl::StripAsciiWhitespace(c.substr(0, colon)),
                    absl::StripAsciiWhitespace(c.substr(colon + 1)));
        }
      }
      return;
    }
    if (header_labels_.empty()) {  // A row of labels; values follow.
      header_labels_ = std::move(cells);
      return;
    }
    for (size_t k = 0; k < header_labels_.size(); ++k) {
      AddHeader(header_labels_[k], k < cells.size() ? cells[k] : "");
    }
    header_labels_.clear();
  }

  void AddHeader(absl::string_view label, absl::string_view value) {
    result_->header.emplace_back(std::string(label), std::string(value));
    std::string key = HeaderKey(label);
    if (key == "sagsid" || key == "sagsnr" || key == "sagsnummer") {
      result_->policy.mutable_esdh_case()->set_case_number(std::string(value));
    } else if (key == "doknr" || key == "dokumentnr" ||
               key == "dokumentnummer") {
      result_->policy.mutable_esdh_case()->set_document_number(
          std::string(value));
    }
  }

  void Metadata(const markdown::Attributes& attrs) {
    v1::Policy& policy = result_->policy;
    v1::PolicyState state;
    if (markdown::ParseStateWord(markdown::Attribute(attrs, "state"), &state)) {
      policy.set_state(state);
    }
    common::v1::Date date;
    if (markdown::ParseIsoDate(markdown::Attribute(attrs, "start"), &date)) {
      *policy.mutable_period()->mutable_start_date() = date;
    }
    if (markdown::ParseIsoDate(markdown::Attribute(attrs, "end"), &date)) {
      *policy.mutable_period()->mutable_end_date() = date;
    }
    common::v1::EsdhReference esdh;
    if (markdown::ReadEsdhAttributes(attrs, &esdh)) {
      *policy.mutable_esdh_case() = esdh;
    }
    std::string kle = markdown::Attribute(attrs, "policy-kle");
    std::string facet = markdown::Attribute(attrs, "policy-facet");
    if (!kle.empty() || !facet.empty()) {
      policy.mutable_kle_class()->set_subject(kle);
      policy.mutable_kle_class()->set_action_facet(facet);
    }
  }

  // --- Vision and objectives ---

  void Vision(const TextBlock& b) {
    if (b.type == BlockType::kHeading) {
      Orphan(b);
      return;
    }
    v1::VisionStatement* v = content_->add_vision_statements();
    v->set_id(Id(b));
    v->set_text(b.text);
  }

  void Objectives(const TextBlock& b) {
    const TextBlock* next = Next();
    bool theme_line = md_ ? b.type == BlockType::kHeading
                          : (b.type == BlockType::kParagraph &&
                             next != nullptr && IsItem(*next));
    if (theme_line) {
      theme_ = content_->add_objective_themes();
      theme_->set_id(Id(b));
      theme_->set_title(b.text);
      return;
    }
    if (IsItem(b)) {
      if (theme_ == nullptr) theme_ = content_->add_objective_themes();
      v1::Objective* o = theme_->add_objectives();
      o->set_id(Id(b));
      o->set_text(b.text);
      return;
    }
    if (theme_ == nullptr) {
      Orphan(b);
    } else {
      AddText(theme_->mutable_paragraphs(), b);
    }
  }

  // --- The list of focus areas ---

  void FocusAreaList(const TextBlock& b) {
    const TextBlock* next = Next();
    bool title_line =
        md_ ? b.type == BlockType::kHeading
            : (b.type == BlockType::kParagraph && next != nullptr &&
               next->type == BlockType::kParagraph && IsFocusText(next->text));
    if (title_line) {
      listed_ = content_->add_focus_areas();
      listed_->set_id(Id(b));
      listed_->set_title(b.text);
      listed_without_focus_ = markdown::Attribute(b.attrs, "focus") == "none";
      return;
    }
    if (listed_ == nullptr) {
      Orphan(b);
      return;
    }
    if (b.type == BlockType::kParagraph && !b.escaped &&
        absl::StartsWith(FoldCase(b.text.substr(0, 20)),
                         FoldCase(markdown::kResponsiblePrefix))) {
      Committees(b.text.substr(markdown::kResponsiblePrefix.size()));
      return;
    }
    if (b.type == BlockType::kParagraph && listed_->focus_text().empty() &&
        listed_->paragraphs_size() == 0 && !listed_without_focus_ &&
        (md_ || IsFocusText(b.text))) {
      listed_->set_focus_text(b.text);
      return;
    }
    AddText(listed_->mutable_paragraphs(), b);
  }

  // "Boligsocialt Udvalg (udvalg); Integrationsrådet (råd)".
  void Committees(absl::string_view list) {
    for (absl::string_view entry :
         absl::StrSplit(list, ';', absl::SkipWhitespace())) {
      entry = absl::StripAsciiWhitespace(entry);
      common::v1::BodyReference* body = listed_->add_responsible_committees();
      size_t open = entry.rfind(" (");
      if (open != absl::string_view::npos && absl::EndsWith(entry, ")")) {
        common::v1::BodyKind kind = markdown::ParseBodyKindWord(
            entry.substr(open + 2, entry.size() - open - 3));
        if (kind != common::v1::BODY_KIND_UNSPECIFIED) {
          body->set_kind(kind);
          entry = entry.substr(0, open);
        }
      }
      body->set_display_name(std::string(entry));
    }
  }

  // --- Strategies, action plans and success criteria ---

  void StrategyPart(const TextBlock& b, Keyword keyword) {
    switch (keyword) {
      case Keyword::kStrategy:
        RequireFocusArea();
        strategy_ = nullptr;
        mode_ = Mode::kStrategyList;
        ResetItems();
        return;
      case Keyword::kPlanAndCriteria:
        RequireFocusArea();
        strategy_ = nullptr;
        mode_ = Mode::kDetails;
        details_are_actions_ = false;
        ResetItems();
        return;
      case Keyword::kActionPlan: {
        RequireFocusArea();
        const TextBlock* next = Next();
        bool heads_details = strategy_ == nullptr && next != nullptr &&
                             !next->escaped && !IsItem(*next) &&
                             markdown::ParseAdHeading(next->text).has_value();
        mode_ = heads_details ? Mode::kDetails : Mode::kActions;
        // "Handleplan" over the "Ad 1)" sections makes their text the
        // action plan, as "Handleplan:" inside each section would.
        details_are_actions_ = heads_details;
        ResetItems();
        return;
      }
      case Keyword::kCriteria:
        RequireFocusArea();
        mode_ = Mode::kCriteria;
        ResetItems();
        return;
      default:
        break;
    }
    if (!b.escaped &&
        (b.type == BlockType::kParagraph || b.type == BlockType::kHeading)) {
      if (auto ad = markdown::ParseAdHeading(b.text)) {
        EnterAd(b, *ad);
        return;
      }
    }
    const TextBlock* next = Next();
    bool area_heading =
        md_ ? (b.type == BlockType::kHeading && b.level <= 3)
            : (b.type == BlockType::kParagraph && next != nullptr &&
               KeywordOf(*next) == Keyword::kStrategy);
    if (area_heading) {
      EnterFocusAreaDetail(b);
      return;
    }
    if (fa_ == nullptr) {
      Orphan(b);
      return;
    }
    switch (mode_) {
      case Mode::kNone:
      case Mode::kStrategyList:
        if (mode_ == Mode::kStrategyList && IsItem(b)) {
          AddStrategy(b);
        } else {
          bool lead_in = fa_->strategies_size() == 0 &&
                         (lead_paragraphs_ < 0 ||
                          fa_->strategy_paragraphs_size() < lead_paragraphs_);
          AddText(lead_in ? fa_->mutable_strategy_paragraphs()
                          : fa_->mutable_closing_paragraphs(),
                  b);
        }
        return;
      case Mode::kDetails:
        AddText(fa_->mutable_closing_paragraphs(), b);
        return;
      case Mode::kStrategyText:
        AddText(strategy_->mutable_paragraphs(), b);
        return;
      case Mode::kActions:
        AddAction(b);
        return;
      case Mode::kCriteria:
        AddCriterion(b);
        return;
    }
  }

  void RequireFocusArea() {
    if (fa_ != nullptr) return;
    fa_ = content_->add_focus_areas();
    created_.push_back(fa_);
  }

  void EnterFocusAreaDetail(const TextBlock& b) {
    std::string id = Id(b);
    v1::FocusArea* match = nullptr;
    if (!id.empty()) {
      for (v1::FocusArea& fa : *content_->mutable_focus_areas()) {
        if (fa.id() == id) match = &fa;
      }
    }
    std::string heading = FoldCase(b.text);
    if (match == nullptr) {
      for (v1::FocusArea& fa : *content_->mutable_focus_areas()) {
        if (FoldCase(fa.title()) == heading) {
          match = &fa;
          break;
        }
      }
    }
    std::vector<const v1::FocusArea*> joined;
    if (match == nullptr) {
      // "Børn i daginstitutioner og skole samt unge, herunder ...": the
      // longest title the heading starts with, plus others it names.
      size_t best = 0;
      for (v1::FocusArea& fa : *content_->mutable_focus_areas()) {
        std::string title = FoldCase(fa.title());
        if (!title.empty() && title.size() > best &&
            absl::StartsWith(heading, title) && heading.size() > title.size() &&
            !absl::ascii_isalnum(heading[title.size()])) {
          match = &fa;
          best = title.size();
        }
      }
      if (match != nullptr) {
        absl::string_view rest = absl::string_view(heading).substr(best);
        for (const v1::FocusArea& fa : content_->focus_areas()) {
          std::string title = FoldCase(fa.title());
          if (&fa != match && !title.empty() &&
              absl::StrContains(rest, title)) {
            joined.push_back(&fa);
          }
        }
      }
    }
    if (match == nullptr) {
      match = content_->add_focus_areas();
      match->set_id(id);
      match->set_title(b.text);
      if (id.empty()) created_.push_back(match);
    } else if (match->title() != b.text) {
      match->set_strategy_heading(b.text);
    }
    std::string joins = markdown::Attribute(b.attrs, "joins");
    for (absl::string_view j : absl::StrSplit(joins, ' ', absl::SkipEmpty())) {
      match->add_joined_focus_area_ids(std::string(j));
    }
    if (!joined.empty()) joins_.emplace_back(match, std::move(joined));
    int lead = -1;
    lead_paragraphs_ =
        absl::SimpleAtoi(markdown::Attribute(b.attrs, "lead"), &lead) ? lead
                                                                      : -1;
    fa_ = match;
    strategy_ = nullptr;
    mode_ = Mode::kNone;
    details_are_actions_ = false;
    ResetItems();
  }

  void AddStrategy(const TextBlock& b) {
    int number = 0;
    std::string text = b.text;
    std::string label, rest;
    if (b.type == BlockType::kNumbered) {
      number = b.number;
    } else if (!b.escaped && markdown::SplitLabel(b.text, &label, &rest) &&
               absl::SimpleAtoi(label, &number)) {
      text = rest;  // "- 1) At samle op ..."
    } else {
      number = 0;
    }
    v1::Strategy* s = fa_->add_strategies();
    s->set_id(Id(b));
    s->set_number(number);
    s->set_text(text);
  }

  void EnterAd(const TextBlock& b, const markdown::AdHeading& ad) {
    RequireFocusArea();
    std::string id = Id(b);
    v1::Strategy* match = nullptr;
    for (v1::Strategy& s : *fa_->mutable_strategies()) {
      if (!id.empty() && s.id() == id) match = &s;
    }
    for (v1::Strategy& s : *fa_->mutable_strategies()) {
      if (match == nullptr && ad.number > 0 && s.number() == ad.number) {
        match = &s;
      }
    }
    for (v1::Strategy& s : *fa_->mutable_strategies()) {
      if (match == nullptr && FoldCase(s.text()) == FoldCase(ad.text)) {
        match = &s;
      }
    }
    if (match == nullptr) {
      match = fa_->add_strategies();
      match->set_id(id);
      match->set_number(ad.number);
      match->set_text(ad.text);
    } else if (match->text() != ad.text) {
      match->set_heading_text(ad.text);
    }
    strategy_ = match;
    mode_ = details_are_actions_ ? Mode::kActions : Mode::kStrategyText;
    ResetItems();
  }

  RepeatedPtrField<v1::ActionItem>* Items() {
    return strategy_ != nullptr ? strategy_->mutable_action_items()
                                : fa_->mutable_action_items();
  }

  void AddAction(const TextBlock& b) {
    if (md_ && b.indent >= 2 && open_item_ != nullptr) {
      AddText(open_item_->mutable_paragraphs(), b);  // Continuation.
      return;
    }
    std::string label, rest;
    bool labelled =
        !b.escaped &&
        (b.type == BlockType::kParagraph || b.type == BlockType::kBullet) &&
        markdown::SplitLabel(b.text, &label, &rest);
    if (labelled) {
      open_item_ = Items()->Add();
      open_item_->set_id(Id(b));
      open_item_->set_label(label);
      open_item_->set_text(rest);
      // A plain "1a)" line gathers what follows until the next label; a
      // Markdown "- 1a) ..." item is one line plus its indented lines.
      absorbs_paragraphs_ = absorbs_bullets_ = b.type != BlockType::kBullet;
      return;
    }
    if (!IsItem(b)) {
      if (open_item_ != nullptr && absorbs_paragraphs_) {
        AbsorbIntoOpenItem(b);
        return;
      }
      open_item_ = Items()->Add();
      open_item_->set_id(Id(b));
      open_item_->set_text(b.text);
      absorbs_paragraphs_ = false;
      // "Arbejdsgruppen har til formål:" introduces the bullets below it.
      absorbs_bullets_ = absl::EndsWith(b.text, ":");
      return;
    }
    if (open_item_ != nullptr && absorbs_bullets_) {
      AbsorbIntoOpenItem(b);
      return;
    }
    open_item_ = Items()->Add();
    open_item_->set_id(Id(b));
    open_item_->set_text(b.type == BlockType::kNumbered ? ItemLine(b) : b.text);
    absorbs_paragraphs_ = absorbs_bullets_ = false;
  }

  void AddCriterion(const TextBlock& b) {
    if (md_ && b.indent >= 2 && last_criterion_ != nullptr) {
      absl::StrAppend(last_criterion_->mutable_text(), "\n\n",
                      IsItem(b) ? ItemLine(b) : b.text);
      return;
    }
    std::string label, rest;
    bool labelled =
        !b.escaped &&
        (b.type == BlockType::kParagraph || b.type == BlockType::kBullet) &&
        markdown::SplitLabel(b.text, &label, &rest);
    std::string text;
    if (labelled) {
      if (rest.empty() && b.type == BlockType::kParagraph) {
        pending_label_ = label;  // "1b)" on its own line, bullets follow.
        return;
      }
      pending_label_.clear();
      text = rest;
    } else {
      label = pending_label_;
      text = b.type == BlockType::kNumbered ? ItemLine(b) : b.text;
    }
    RepeatedPtrField<v1::SuccessCriterion>* target =
        strategy_ != nullptr ? strategy_->mutable_success_criteria()
                             : fa_->mutable_success_criteria();
    std::string of = markdown::Attribute(b.attrs, "of");
    for (v1::ActionItem& item : *Items()) {
      bool owner = of.empty() ? (!label.empty() && item.label() == label)
                              : item.id() == of;
      if (owner) {
        target = item.mutable_success_criteria();
        break;
      }
    }
    last_criterion_ = target->Add();
    last_criterion_->set_id(Id(b));
    last_criterion_->set_label(label);
    last_criterion_->set_text(text);
  }

  // --- Citizen meetings, budget, attachments, extra sections ---

  void Meetings(const TextBlock& b) {
    const TextBlock* next = Next();
    bool heading = md_ ? b.type == BlockType::kHeading
                       : (b.type == BlockType::kParagraph && next != nullptr &&
                          IsItem(*next));
    if (heading) {
      meeting_ = content_->add_citizen_meetings();
      proposal_ = nullptr;
      meeting_->set_id(Id(b));
      common::v1::Date date;
      if (markdown::ParseIsoDate(markdown::Attribute(b.attrs, "date"), &date)) {
        *meeting_->mutable_date() = date;
      }
      int participants = 0;
      if (absl::SimpleAtoi(markdown::Attribute(b.attrs, "participants"),
                           &participants)) {
        meeting_->set_participant_count(participants);
      }
      common::v1::EsdhReference summary;
      if (markdown::ReadEsdhAttributes(b.attrs, &summary)) {
        *meeting_->mutable_summary_document() = summary;
      }
      meeting_->set_place(
          b.attrs.empty() ? b.text : markdown::Attribute(b.attrs, "place"));
      return;
    }
    if (meeting_ == nullptr) {
      Orphan(b);
      return;
    }
    if (md_ && b.indent >= 2 && proposal_ != nullptr) {
      absl::string_view text = b.text;
      if (!b.escaped && absl::ConsumePrefix(&text, markdown::kLandingPrefix)) {
        proposal_->set_landing_note(
            std::string(absl::StripAsciiWhitespace(text)));
      } else {
        absl::StrAppend(proposal_->mutable_text(), "\n\n", text);
      }
      return;
    }
    if (b.type == BlockType::kBullet) {
      proposal_ = meeting_->add_proposals();
      proposal_->set_id(Id(b));
      proposal_->set_text(b.text);
      for (absl::string_view id :
           absl::StrSplit(markdown::Attribute(b.attrs, "landed-in"), ' ',
                          absl::SkipEmpty())) {
        proposal_->add_landed_in_element_ids(std::string(id));
      }
      return;
    }
    AddText(meeting_->mutable_paragraphs(), b);
  }

  // "2008 · Lektiehjælpscafé · 250.000,00 kr. · finansieret".
  void Budget(const TextBlock& b) {
    std::vector<std::string> fields = absl::StrSplit(b.text, " · ");
    int year = 0;
    int64_t amount = 0;
    v1::BudgetLine::Funding funding;
    if (b.escaped || fields.size() < 4 || !absl::SimpleAtoi(fields[0], &year) ||
        !markdown::ParseMoney(fields[fields.size() - 2], &amount) ||
        !markdown::ParseFundingWord(fields.back(), &funding)) {
      Orphan(b);
      return;
    }
    v1::BudgetLine* line = content_->add_budget_lines();
    line->set_id(Id(b));
    line->set_year(year);
    line->mutable_amount()->set_amount_ore(amount);
    line->set_funding(funding);
    line->set_element_id(markdown::Attribute(b.attrs, "element"));
    line->set_initiative(
        absl::StrJoin(fields.begin() + 1, fields.end() - 2, " · "));
  }

  void Attachments(const TextBlock& b) {
    if (b.type == BlockType::kHeading) {
      Orphan(b);
      return;
    }
    v1::Attachment* a = content_->add_attachments();
    a->set_id(Id(b));
    std::string title = b.text;
    common::v1::EsdhReference doc;
    if (markdown::ReadEsdhAttributes(b.attrs, &doc)) {
      std::string label = markdown::EsdhLabel(doc);
      if (!label.empty()) {
        std::string suffix = absl::StrCat(" (", label, ")");
        if (absl::EndsWith(title, suffix)) {
          title.resize(title.size() - suffix.size());
        }
      }
      *a->mutable_document() = doc;
    } else if (absl::EndsWith(title, ")")) {
      // "Handleplan for tosprogsområdet ver. 2 (1212017)".
      size_t open = title.rfind('(');
      std::string number =
          open == std::string::npos
              ? ""
              : title.substr(open + 1, title.size() - open - 2);
      bool digits = !number.empty();
      for (char c : number) digits = digits && absl::ascii_isdigit(c);
      if (digits) {
        a->mutable_document()->set_document_number(number);
        title = std::string(absl::StripTrailingAsciiWhitespace(
            absl::string_view(title).substr(0, open)));
      }
    }
    a->set_title(title);
  }

  void Extra(const TextBlock& b) {
    if (section_ == nullptr) {
      Orphan(b);
      return;
    }
    AddText(section_->mutable_paragraphs(), b);
  }

  std::vector<TextBlock> blocks_;
  size_t i_ = 0;
  bool md_;
  ImportResult* result_;
  v1::PolicyContent* content_;

  Part part_ = Part::kPreamble;
  std::string part_heading_;
  std::vector<std::string> header_labels_;
  absl::flat_hash_map<std::string, v1::Section*> orphan_sections_;

  v1::ObjectiveTheme* theme_ = nullptr;
  v1::FocusArea* listed_ = nullptr;  // In the list of focus areas.
  bool listed_without_focus_ = false;
  v1::FocusArea* fa_ = nullptr;  // In the strategy part.
  v1::Strategy* strategy_ = nullptr;
  Mode mode_ = Mode::kNone;
  bool details_are_actions_ = false;
  // How many paragraphs lead into a focus area's strategies (Markdown
  // "lead" attribute, when there are no strategies to tell); -1 if unsaid.
  int lead_paragraphs_ = -1;
  v1::ActionItem* open_item_ = nullptr;
  bool absorbs_paragraphs_ = false;
  bool absorbs_bullets_ = false;
  v1::SuccessCriterion* last_criterion_ = nullptr;
  std::string pending_label_;
  v1::CitizenMeeting* meeting_ = nullptr;
  v1::CitizenProposal* proposal_ = nullptr;
  v1::Section* section_ = nullptr;

  // The bullet list paragraph the last block was added to.
  std::string* run_ = nullptr;
  bool run_open_ = false;
  bool appended_run_ = false;

  std::vector<std::pair<v1::FocusArea*, std::vector<const v1::FocusArea*>>>
      joins_;
  std::vector<const v1::FocusArea*> created_;
};

bool IsEmpty(const v1::PolicyContent& c) { return c.ByteSizeLong() == 0; }

}  // namespace

absl::StatusOr<ImportResult> ImportPolicyText(absl::string_view text,
                                              const ImportOptions& options) {
  absl::Status checked = CheckText(text, options.field, options.max_bytes);
  if (!checked.ok()) return checked;
  std::vector<std::string> lines = SplitLines(text);
  bool md = options.format == TextFormat::kMarkdown ||
            (options.format == TextFormat::kAuto && LooksLikeMarkdown(lines));
  ImportResult result;
  Importer importer(md ? LexMarkdown(lines) : LexPlainText(lines), md, &result);
  importer.Run();
  v1::PolicyContent* content = result.policy.mutable_content();
  if (IsEmpty(*content) && result.policy.display_name().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(options.field, ": no policy text found"));
  }
  AssignMissingIds(content);
  importer.FinishJoins();
  if (options.propose_readings) ProposeReadings(content);
  absl::Status valid = ValidateContent(*content, "content");
  if (!valid.ok()) return valid;
  absl::Status fields = CheckMessageText(result.policy, "policy");
  if (!fields.ok()) return fields;
  return result;
}

}  // namespace kommune::policy
