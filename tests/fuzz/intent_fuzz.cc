// Fuzz target: the intent recogniser (bot/intent.h) on any opening
// sentence. Input: the sentence (skipped unless UTF-8, as every channel
// guarantees). The word lists are a small catalogue of the shipped kind
// (stems, phrases, both languages) and the media a template's choice.
// Checks: no crash, no UB, no leak, no exception; only a registration
// carries a medium or a unit; the unit is text of the sentence (its first
// letter raised); every word is non-empty.
#include <nlohmann/json.hpp>

#include "bot/intent.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

struct Setup {
  kontobot::Catalog catalog{{{kontobot::Lang::kSv,
                              {{"intent.register.verb", "starta*|skapa*|öppna*|lägga upp|ha"},
                               {"intent.account_noun", "konto*|sida|kanal*"},
                               {"intent.change_admins.verb", "byt*|lägga till|ta bort"},
                               {"intent.change_admins.noun", "administrat*|admin*"},
                               {"intent.absence.word", "föräldraledig*|semester*"},
                               {"intent.close_account.verb", "stänga|avsluta*|ta bort"},
                               {"intent.unit_marker", "för|åt"},
                               {"intent.unit_filler", "vår|den|en|ett"},
                               {"intent.unit_stop", "och|som|att|i"}}},
                             {kontobot::Lang::kEn,
                              {{"intent.register.verb", "start*|open|set up"},
                               {"intent.account_noun", "account*|page*"},
                               {"intent.unit_marker", "for"},
                               {"intent.unit_filler", "the|our"},
                               {"intent.unit_stop", "and|to"}}}}};
  kontobot::Template tmpl;
  kontobot::IntentRecogniser recogniser{catalog};

  Setup() {
    kontobot::Step medium;
    medium.id = "medium";
    medium.type = kontobot::QuestionType::kChoice;
    medium.options = {{"facebook", {"Facebook", "Facebook"}, {"fb", "facebook.com"}},
                      {"twitter", {"X (Twitter)", "X (Twitter)"}, {"x", "twitter.com"}},
                      {"youtube", {"YouTube", "YouTube"}, {"yt", "you tube"}}};
    tmpl.steps.push_back(medium);
    tmpl.register_fields["medium"] = "medium";
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Setup kSetup;
  const std::string input = kontobot::fuzz::AsString(data, size);
  try {
    (void)nlohmann::json(input).dump();
  } catch (const nlohmann::json::type_error&) {
    return 0;
  }
  kontobot::Understood u = kSetup.recogniser.Recognise(input, &kSetup.tmpl);
  if (u.intent != kontobot::Intent::kRegister) FUZZ_CHECK(u.medium.empty() && u.unit.empty());
  if (!u.unit.empty()) {
    // The sentence's own text, but for its first letter, raised (one byte
    // in ASCII, two in Latin-1).
    FUZZ_CHECK(input.find(u.unit) != std::string::npos ||
               input.find(u.unit.substr(1)) != std::string::npos ||
               (u.unit.size() > 2 && input.find(u.unit.substr(2)) != std::string::npos));
  }
  kontobot::Understood none = kSetup.recogniser.Recognise(input, nullptr);
  FUZZ_CHECK(none.medium.empty());
  for (const std::string& w : kontobot::IntentRecogniser::Words(input)) FUZZ_CHECK(!w.empty());
  return 0;
}
