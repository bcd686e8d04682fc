// kontobot's entry point: parse options, then hand over to handlers::Run.
#include <openssl/crypto.h>

#include <pplx/pplx.h>

#include <iostream>
#include <map>

#include "config/options.h"
#include "handlers/app.h"

extern char** environ;

int main(int argc, char** argv) {
  // OpenSSL loads its configuration once, on the thread that first uses it,
  // and that thread keeps an error state OpenSSL frees only when the thread
  // ends through it. Left to the first Matrix transaction (its SHA-256), that
  // was a cpprestsdk thread the library abandons at exit: 904 bytes the
  // AddressSanitizer build's leak check reported in every bot that served
  // Matrix. Loading it here, on the main thread, ends it at exit.
  OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr);
  // cpprestsdk creates its task scheduler on first use, under a spin lock
  // inside the library, which ThreadSanitizer cannot see (the library is not
  // built with it). Left to the first task, that was the listener's start on
  // the main thread while the outbox's lanes, started just before, copied
  // the same scheduler: a race in every TSan report, and an unsynchronised
  // first use for any build. Created here, before any thread exists, every
  // later use happens after it.
  pplx::get_ambient_scheduler();
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto parsed = kontobot::config::ParseOptions(argc, argv, env);
  if (!parsed.help.empty()) {
    std::cout << parsed.help;
    return 0;
  }
  if (!parsed.error.empty()) {
    std::cerr << "kontobot: " << parsed.error << "\n";
    return 2;
  }
  try {
    return kontobot::handlers::Run(parsed.options);
  } catch (const std::exception& e) {
    std::cerr << "kontobot: " << e.what() << "\n";
    return 1;
  }
}
