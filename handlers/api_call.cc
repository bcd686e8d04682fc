#include "handlers/api_call.h"

#include <condition_variable>
#include <memory>
#include <mutex>

#include <cpprest/http_client.h>
#include <cpprest/producerconsumerstream.h>

namespace kontobot::handlers {

web::http::client::http_client_config ApiClientConfig(std::chrono::milliseconds deadline) {
  web::http::client::http_client_config cfg;
  cfg.set_timeout(deadline);
  cfg.set_max_redirects(0);  // see the header: no follower, no race, no token sent elsewhere
  return cfg;
}

void OneShotBody(web::http::http_request& request, const std::string& body,
                 const std::string& content_type) {
  // A producer/consumer buffer cannot seek: cpprestsdk's resend on a
  // reused connection needs to rewind the body, and reports an error
  // instead when it cannot (asio_context::handle_failed_read_status_line).
  concurrency::streams::producer_consumer_buffer<uint8_t> buffer;
  buffer.putn_nocopy(reinterpret_cast<const uint8_t*>(body.data()), body.size()).wait();
  buffer.close(std::ios_base::out).wait();
  request.set_body(buffer.create_istream(), body.size(), content_type);
}

namespace {

// What the waiting caller and cpprestsdk's continuation share: the caller
// may give up and return before the continuation runs.
struct Pending {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  ApiAnswer answer;

  void Finish(ApiAnswer a) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (done) return;
      answer = std::move(a);
      done = true;
    }
    cv.notify_all();
  }
};

}  // namespace

ApiAnswer CallWithDeadline(web::http::client::http_client& http,
                           const web::http::http_request& request,
                           std::chrono::milliseconds deadline) {
  auto pending = std::make_shared<Pending>();
  try {
    // Everything about the answer is read in the continuations, on the
    // thread that completed it, and handed over under the mutex: this
    // thread touches neither the request nor the response once sent.
    http.request(request).then([pending](const pplx::task<web::http::http_response>& sent) {
      ApiAnswer a;
      web::http::http_response response;
      try {
        response = sent.get();
      } catch (const std::exception& e) {
        a.transport_error = e.what();
        pending->Finish(std::move(a));
        return;
      }
      a.status = response.status_code();
      const auto& headers = response.headers();
      if (auto h = headers.find("Retry-After"); h != headers.end()) a.retry_after = h->second;
      if (auto h = headers.find("X-Ratelimit-Reset"); h != headers.end())
        a.ratelimit_reset = h->second;
      response.extract_utf8string(true).then(
          [pending, a = std::move(a)](const pplx::task<std::string>& body) mutable {
            try {
              a.body = body.get();
            } catch (const std::exception& e) {  // the connection broke mid-body
              a.status = 0;
              a.transport_error = e.what();
            }
            pending->Finish(std::move(a));
          });
    });
  } catch (const std::exception& e) {  // a malformed request
    ApiAnswer a;
    a.transport_error = e.what();
    return a;
  }
  std::unique_lock<std::mutex> lock(pending->mu);
  if (pending->cv.wait_for(lock, deadline, [&] { return pending->done; })) return pending->answer;
  // Given up: the call goes on without us and finishes a Pending nobody
  // waits for. Not cancelled: a cancellation token makes cpprestsdk keep a
  // callback that its I/O threads and ours then release, through
  // reference counts in its uninstrumented code, so ThreadSanitizer reports
  // every call. cpprestsdk closes the connection itself once it has been
  // idle for the deadline (its own timeout, see ApiClientConfig); only an
  // answer trickled for ever keeps it open, until the server ends it.
  ApiAnswer a;
  a.timed_out = true;
  a.transport_error = "no answer within " + std::to_string(deadline.count()) + " ms";
  return a;
}

}  // namespace kontobot::handlers
