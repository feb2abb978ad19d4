// Formats and writes the logs of `c2scope logs` on a thread of their own: the parsing thread only copies
// each record into a batch.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "flow/flow_table.hpp"
#include "session/records.hpp"

namespace c2scope::report {

// Stands between the app layer and the log writers (a FlowSink for conn.log, an AppLogSink for the others).
// Formatting the records and writing them is about a fifth of `logs`' parsing thread on the bench capture;
// here the records are copied into per-log batches (a copy-assignment into a reused slot: no allocation once
// the slots have grown), and every kBatch records the batch goes to a thread that calls the writers, while
// the parser fills the other batch. Each log's records keep their order, so the files are the same bytes. A
// writer's exception (a write error) is rethrown on the parsing thread at the next hand-off or at finish().
class AsyncLogSink final : public flow::FlowSink, public session::AppLogSink {
 public:
  AsyncLogSink(flow::FlowSink& flows, session::AppLogSink& logs);
  ~AsyncLogSink() override;
  AsyncLogSink(const AsyncLogSink&) = delete;
  AsyncLogSink& operator=(const AsyncLogSink&) = delete;

  void on_flow(const flow::FlowRecord& r) override;
  void on_dns(const session::DnsLogRecord& r) override;
  void on_http(const session::HttpLogRecord& r) override;
  void on_ssl(const session::SslLogRecord& r) override;
  void on_x509(const session::X509LogRecord& r) override;
  void on_quic(const session::QuicLogRecord& r) override;
  void on_alert(const session::AlertLogRecord& r) override;
  // Hands over what is left, waits until the writers have it all and stops the thread; then the writers'
  // own finish() may run. Throws a writer's exception.
  void finish();

 private:
  static constexpr std::size_t kBatch = 1024;
  template <class T>
  struct Lane {
    std::vector<T> items;  // slots [0, n) hold records; the rest keep their capacity for reuse
    std::size_t n = 0;
    void push(const T& r) {
      if (n == items.size()) {
        items.push_back(r);
      } else {
        items[n] = r;
      }
      ++n;
    }
  };
  struct Batch {
    Lane<flow::FlowRecord> flows;
    Lane<session::DnsLogRecord> dns;
    Lane<session::HttpLogRecord> http;
    Lane<session::SslLogRecord> ssl;
    Lane<session::X509LogRecord> x509;
    Lane<session::QuicLogRecord> quic;
    Lane<session::AlertLogRecord> alerts;
    std::size_t total = 0;
    // Empties every lane, keeping the slots for reuse.
    void clear() {
      flows.n = dns.n = http.n = ssl.n = x509.n = quic.n = alerts.n = 0;
      total = 0;
    }
  };
  template <class T>
  void push(Lane<T> Batch::*lane, const T& r) {
    (filling_->*lane).push(r);
    if (++filling_->total >= kBatch) hand_off();
  }
  void hand_off();
  void write(Batch& b);  // on the writer thread
  void run();

  flow::FlowSink& flows_;
  session::AppLogSink& logs_;
  Batch batches_[2];
  Batch* filling_ = &batches_[0];
  Batch* pending_ = nullptr;  // the batch the thread writes, while set
  std::mutex mutex_;
  std::condition_variable changed_;
  std::exception_ptr error_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace c2scope::report
