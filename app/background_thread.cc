#include "app/background_thread.h"

#include "app/thread_priority.h"

namespace kontobot::app {

void BackgroundThread::Start(std::function<void()> loop) {
  thread_ = std::thread([this, loop = std::move(loop)] {
    if (priority_ == Priority::kBehind) {
      RunThisThreadBehind(name_.c_str());
    } else {
      NameThisThread(name_.c_str());
    }
    loop();
  });
}

void BackgroundThread::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_one();
}

void BackgroundThread::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

}  // namespace kontobot::app
