// AsyncLogSink: double-buffered batches of records, written by one thread in each log's order.
#include "report/async_log_sink.hpp"

namespace c2scope::report {

AsyncLogSink::AsyncLogSink(flow::FlowSink& flows, session::AppLogSink& logs)
    : flows_(flows), logs_(logs), thread_([this] { run(); }) {}

AsyncLogSink::~AsyncLogSink() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    changed_.notify_all();
  }
  thread_.join();
}

void AsyncLogSink::on_flow(const flow::FlowRecord& r) {
  push(&Batch::flows, r);
}
void AsyncLogSink::on_dns(const session::DnsLogRecord& r) {
  push(&Batch::dns, r);
}
void AsyncLogSink::on_http(const session::HttpLogRecord& r) {
  push(&Batch::http, r);
}
void AsyncLogSink::on_ssl(const session::SslLogRecord& r) {
  push(&Batch::ssl, r);
}
void AsyncLogSink::on_x509(const session::X509LogRecord& r) {
  push(&Batch::x509, r);
}
void AsyncLogSink::on_quic(const session::QuicLogRecord& r) {
  push(&Batch::quic, r);
}
void AsyncLogSink::on_alert(const session::AlertLogRecord& r) {
  push(&Batch::alerts, r);
}

void AsyncLogSink::hand_off() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return pending_ == nullptr; });
  if (error_) std::rethrow_exception(error_);
  pending_ = filling_;
  filling_ = filling_ == &batches_[0] ? &batches_[1] : &batches_[0];
  changed_.notify_all();
}

void AsyncLogSink::finish() {
  if (filling_->total > 0) hand_off();
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return pending_ == nullptr; });
  if (error_) std::rethrow_exception(error_);
}

void AsyncLogSink::write(Batch& b) {
  for (std::size_t i = 0; i < b.flows.n; ++i) flows_.on_flow(b.flows.items[i]);
  for (std::size_t i = 0; i < b.dns.n; ++i) logs_.on_dns(b.dns.items[i]);
  for (std::size_t i = 0; i < b.http.n; ++i) logs_.on_http(b.http.items[i]);
  for (std::size_t i = 0; i < b.ssl.n; ++i) logs_.on_ssl(b.ssl.items[i]);
  for (std::size_t i = 0; i < b.x509.n; ++i) logs_.on_x509(b.x509.items[i]);
  for (std::size_t i = 0; i < b.quic.n; ++i) logs_.on_quic(b.quic.items[i]);
  for (std::size_t i = 0; i < b.alerts.n; ++i) logs_.on_alert(b.alerts.items[i]);
}

void AsyncLogSink::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return pending_ != nullptr || stop_; });
    if (pending_ == nullptr) return;
    Batch& b = *pending_;
    lock.unlock();
    std::exception_ptr error;
    try {
      if (!error_) write(b);
    } catch (...) {
      error = std::current_exception();
    }
    b.clear();
    lock.lock();
    if (error && !error_) error_ = error;
    pending_ = nullptr;
    changed_.notify_all();
  }
}

}  // namespace c2scope::report
