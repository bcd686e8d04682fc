// Masking personal data in a disclosure copy (utlämnande): private
// persons' names and contact details and every personal identity number
// are replaced by labels, the same way in every part of a document, so a
// reader can still follow who said what ("[privatperson 1]"). Staff acting
// in their role are not masked: their names, work e-mail addresses and
// phone numbers are listed as kept. The labels come from the message
// catalogue; this only finds and replaces.
//
// What is found: the names and contact details given (case-insensitive,
// whole words), any e-mail address and any Swedish phone number not kept,
// and every personnummer/samordningsnummer valid by its check digit
// (bot/identity_number.h). Free-text names of people nobody named in a form
// cannot be found; the registrar's secrecy review still reads the copy.
//
// Thread-safety: immutable after construction; Mask is const.
#ifndef KONTOBOT_BOT_MASKING_H_
#define KONTOBOT_BOT_MASKING_H_

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kontobot {

struct MaskLabels {
  std::string email;            // "[e-postadress maskerad]"
  std::string phone;            // "[telefonnummer maskerat]"
  std::string identity_number;  // "[personnummer maskerat]"
};

// A private person to mask: their label and what identifies them.
struct PrivatePerson {
  std::string label;  // "[privatperson 1]"
  std::string name;
  std::vector<std::string> contacts;  // e-mail addresses, phone numbers as written
};

class Masker {
 public:
  // `kept` are staff e-mail addresses and phone numbers (any spelling;
  // compared lower case, phone numbers by their digits) and whole e-mail
  // domains ("@gislaved.se") whose addresses are kept when found in text. `reference` dates
  // 10-digit identity numbers (see identity_number.h).
  Masker(const std::vector<PrivatePerson>& people, const std::set<std::string>& kept,
         MaskLabels labels, std::chrono::year_month_day reference);

  std::string Mask(std::string_view text) const;
  // True if Mask would change `text`.
  bool Masks(std::string_view text) const;

 private:
  struct Span {
    size_t begin;
    size_t end;
    const std::string* label;
  };
  std::vector<Span> Find(std::string_view text) const;

  struct Term {
    std::string folded;  // lower case
    std::string label;
  };
  std::vector<Term> terms_;  // longest first
  std::set<std::string> kept_emails_;
  std::set<std::string> kept_phones_;  // digits only, national form (0...)
  MaskLabels labels_;
  std::chrono::year_month_day reference_;
};

// Lower-cases ASCII and the Latin-1 letters À-Þ (å, ä, ö, é, ...) in UTF-8,
// keeping every byte offset.
std::string FoldCase(std::string_view text);

// The digits of a phone number in national form ("+46 70-123 45 67" ->
// "0701234567").
std::string PhoneDigits(std::string_view text);

}  // namespace kontobot

#endif  // KONTOBOT_BOT_MASKING_H_
