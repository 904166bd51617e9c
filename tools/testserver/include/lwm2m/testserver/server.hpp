// SPDX-License-Identifier: Apache-2.0
// A small LwM2M Server and Bootstrap Server for tests, demos and users, built on libcoap:
// an independent CoAP stack on the other side of the wire from our own engine, so that a
// bug in our CoAP layer cannot cancel itself out.
//
// Not part of the embedded core: it uses exceptions, the heap and a thread. Each Server or
// BootstrapServer owns a libcoap context that runs on its own I/O thread; every public
// method is thread-safe and may block (with a timeout) until the client has answered.
//
// Example (test against a client that runs on another thread):
//
//   lwm2m::testserver::Server server;                 // 127.0.0.1 and ::1, ephemeral port
//   start_client("coap://127.0.0.1:" + std::to_string(server.port()));
//   auto reg = server.wait_registered("node-1", 5s);  // std::optional<ClientInfo>
//   auto r = server.read("node-1", "/3/0", ContentFormat::senml_json);
//   EXPECT_EQ(r.code_string(), "2.05");
//   auto obs = server.observe("node-1", "/3/0/13");
//   auto n = obs.wait_notification(5s);
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lwm2m::testserver {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;
using Bytes = std::vector<uint8_t>;

/// CoAP Content-Format numbers used by LwM2M (any other number may be cast in).
enum class ContentFormat : uint16_t {
  text = 0,
  link_format = 40,
  opaque = 42,
  cbor = 60,
  senml_json = 110,
  senml_cbor = 112,
  tlv = 11542,
  lwm2m_json = 11543,
  lwm2m_cbor = 11544,
};
/// "text/plain", "application/vnd.oma.lwm2m+tlv", ... or the number for others.
std::string to_string(ContentFormat cf);

/// A CoAP code as on the wire: (class << 5) | detail.
constexpr uint8_t coap_code(int cls, int detail) {
  return static_cast<uint8_t>((cls << 5) | (detail & 0x1F));
}
/// "2.05" for coap_code(2, 5).
std::string code_string(uint8_t code);

/// Thrown by the constructors when the socket cannot be bound or DTLS is unavailable.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CoapOption {
  uint16_t number = 0;
  Bytes value;
};

/// The outcome of one request the server sent to a client.
struct Response {
  enum class Outcome {
    response,        ///< the client answered (code, options and payload are set)
    timeout,         ///< no answer within the caller's timeout
    no_answer,       ///< libcoap gave up retransmitting a CON request
    reset,           ///< the client answered with RST
    not_registered,  ///< no client of that endpoint name is registered
    failed,          ///< the request could not be built or sent (see error)
  };
  Outcome outcome = Outcome::timeout;
  uint8_t code = 0;
  std::optional<ContentFormat> content_format;
  Bytes payload;  ///< the whole body (Block2 reassembled by libcoap)
  std::vector<CoapOption> options;
  std::string error;  ///< what went wrong when outcome != response

  bool received() const { return outcome == Outcome::response; }
  /// A response with a 2.xx code.
  bool ok() const { return received() && (code >> 5) == 2; }
  int code_class() const { return code >> 5; }
  int code_detail() const { return code & 0x1F; }
  std::string code_string() const { return testserver::code_string(code); }
  std::string text() const { return std::string(payload.begin(), payload.end()); }
  /// "2.05 Content (application/senml+json, 123 bytes)" or "timeout: ...".
  std::string describe() const;
};

/// One element of the registration payload (CoRE Link Format, RFC 6690).
struct ObjectLink {
  std::string path;                               ///< as written between < and >, e.g. "/3/0"
  std::vector<uint16_t> ids;                      ///< the numeric path segments (object, instance)
  std::optional<std::string> version;             ///< the "ver" attribute
  std::map<std::string, std::string> attributes;  ///< every attribute, quotes removed
};
/// Parses a link-format payload; malformed elements are skipped.
std::vector<ObjectLink> parse_links(std::string_view payload);

/// What the server knows of a registered client.
struct ClientInfo {
  std::string endpoint;
  std::string registration_id;  ///< the <id> of Location-Path rd/<id>
  std::string location;         ///< "/rd/<id>"
  uint32_t lifetime = 86400;    ///< seconds ("lt", default 86400)
  std::string binding = "U";    ///< "b"
  std::string lwm2m_version;    ///< "lwm2m" (empty when absent: 1.0 clients may omit it)
  bool queue_mode = false;      ///< "Q" present (1.1) or 'Q' in the binding (1.0 "UQ")
  std::optional<std::string> sms;
  std::map<std::string, std::string> query;  ///< every Uri-Query of the last Register/Update
  std::string links_raw;                     ///< the payload as received
  std::vector<ObjectLink> links;             ///< parsed
  std::string address;                       ///< "127.0.0.1:40000" or "[::1]:40000"
  Clock::time_point registered_at;
  Clock::time_point last_update;  ///< registration time until the first Update
  uint32_t updates = 0;

  /// True when the payload lists this path (e.g. "/3/0" or "/3").
  bool has_link(std::string_view path) const;
};

/// Everything that happened, in order. Which fields are set depends on the kind.
struct Event {
  enum class Kind {
    registered,             ///< client
    registration_rejected,  ///< endpoint, code (injected error or malformed request)
    updated,                ///< client (after the update)
    update_rejected,        ///< code 4.04 for an unknown registration; detail = location
    deregistered,           ///< client (as it was)
    send,                   ///< endpoint, payload, content_format, code (1.1 Send, POST /dp)
    request_held,           ///< endpoint, detail = "GET /3/0" (queue mode: client asleep)
    notification_rejected,  ///< endpoint, detail = path (reactive cancel: answered RST)
    bootstrap_requested,    ///< endpoint, detail = pct or ""
    bootstrap_step,         ///< endpoint, step index, detail = "PUT /0", code
    bootstrap_finished,     ///< endpoint, code of Bootstrap-Finish
    bootstrap_failed,       ///< endpoint, step index, detail = reason
  };
  Kind kind;
  std::string endpoint;
  Clock::time_point time;
  std::optional<ClientInfo> client;
  uint8_t code = 0;
  std::optional<ContentFormat> content_format;
  Bytes payload;
  std::string detail;
  int step = -1;
};
std::string to_string(Event::Kind kind);
/// One line for logs and the CLI.
std::string describe(const Event& e);

struct PskCredential {
  std::string identity;
  Bytes key;
  /// `identity` is a prefix: every identity that starts with it has this key (a fleet of
  /// simulated clients, "sim-0", "sim-1", ...). An exact identity is preferred to a prefix.
  bool prefix = false;
};

struct Options {
  /// Empty: bind both 127.0.0.1 and ::1 (::1 only when IPv6 is available). Otherwise one
  /// numeric address, e.g. "0.0.0.0" or "::" to accept clients from other hosts.
  std::string bind_address;
  /// 0: an ephemeral port (read it from port()).
  uint16_t port = 0;
  /// Non-empty: the endpoint speaks DTLS with these PSK identities (libcoap's OpenSSL
  /// backend) instead of plain UDP. Clients are accepted only with a listed identity (or
  /// one that starts with a listed prefix).
  std::vector<PskCredential> psk;
  /// Default time a blocking call waits for its answer.
  Duration request_timeout{10000};
  /// Queue mode: how long a client is taken to be awake after its last message. Requests
  /// issued after that are held until the client next sends something (Leshan: 93 s).
  Duration queue_awake_time{93000};
  /// Log each datagram to stderr (the env var LWM2M_TESTSERVER_LOG=debug|info|warn does
  /// the same for every server in the process).
  bool verbose = false;
};

/// A request to a client, for what the named helpers do not cover.
struct Request {
  uint8_t method = coap_code(0, 1);  ///< GET
  std::string path = "/";            ///< "/3/0/1"; "/" sends no Uri-Path
  std::vector<std::string> query;    ///< one Uri-Query option each ("pmin=1")
  std::optional<ContentFormat> accept;
  std::optional<ContentFormat> content_format;
  Bytes payload;  ///< larger than a block goes out with Block1 (libcoap)
  bool confirmable = true;
  std::optional<uint32_t> observe;  ///< 0 registers an observation
  /// More options, sent as given. With a Block1 option (27) among them the payload is sent
  /// as that one block: the caller does the block-wise transfer itself.
  std::vector<CoapOption> options;
};

struct Notification {
  uint8_t code = 0;
  std::optional<ContentFormat> content_format;
  std::optional<uint32_t> observe;  ///< the Observe option's value
  Bytes payload;
  Clock::time_point arrival;
  std::string text() const { return std::string(payload.begin(), payload.end()); }
};

class Server;
namespace detail {
struct Impl;
struct ObservationState;
}  // namespace detail

/// An observation started by Server::observe(). Copies share the same state.
class Observation {
 public:
  Observation() = default;
  /// The answer to the GET/FETCH with Observe 0 (2.05 with an Observe option when the
  /// client accepted the observation).
  const Response& response() const { return response_; }
  /// The client answered with an Observe option: notifications may follow.
  bool established() const;
  /// The next notification not yet returned by this call (the initial response is not a
  /// notification), or nullopt after `timeout`.
  std::optional<Notification> wait_notification(Duration timeout);
  /// Waits until at least `count` notifications have arrived in total.
  bool wait_notifications(size_t count, Duration timeout);
  std::vector<Notification> notifications() const;
  size_t notification_count() const;
  const std::string& endpoint() const { return endpoint_; }
  const std::string& path() const { return path_; }

 private:
  friend class Server;
  friend struct detail::Impl;
  std::shared_ptr<detail::ObservationState> state_;
  Response response_;
  std::string endpoint_;
  std::string path_;
  size_t next_ = 0;
};

/// The LwM2M Server: registration interface (/rd), Send (/dp), device management and
/// information reporting towards registered clients.
class Server {
 public:
  explicit Server(Options options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;
  /// "coap://127.0.0.1:<port>" (coaps:// with PSK).
  std::string uri() const;

  // ---- registrations and events ----
  std::optional<ClientInfo> client(const std::string& endpoint) const;
  std::vector<ClientInfo> clients() const;
  std::vector<Event> events() const;
  /// The events from index `first` on (a console polling with thousands of clients
  /// registered copies only what is new).
  std::vector<Event> events_since(size_t first) const;
  /// Each wait returns the oldest matching event that no earlier wait of the same kind
  /// has returned, so two registrations of one endpoint are seen by two waits.
  std::optional<ClientInfo> wait_registered(const std::string& endpoint, Duration timeout);
  std::optional<ClientInfo> wait_update(const std::string& endpoint, Duration timeout);
  std::optional<ClientInfo> wait_deregistered(const std::string& endpoint, Duration timeout);
  std::optional<Event> wait_send(const std::string& endpoint, Duration timeout);
  /// Any event kind; "" matches every endpoint.
  std::optional<Event> wait_event(Event::Kind kind, const std::string& endpoint, Duration timeout);

  // ---- failure injection ----
  /// Drops the registration without telling the client: its next Update gets 4.04.
  bool forget(const std::string& endpoint);
  /// Answers the next `count` Register requests with `code` (default 5.03).
  void reject_registrations(int count, uint8_t code = coap_code(5, 3));
  /// Drops the next `count` datagrams this server sends (libcoap's packet-loss hook; it is
  /// process-wide, so it also affects other servers in the same process). Armed when the
  /// call returns: the very next datagram is the first one dropped.
  void drop_outgoing(int count);
  /// DTLS only: ends the session of every registered client (libcoap sends close_notify)
  /// but keeps the registrations, as a server that expired or lost its sessions does. The
  /// client needs a new handshake before its next message is understood. Returns the
  /// number of sessions ended (0 without DTLS).
  int drop_sessions();

  // ---- device management (to the address the client registered from) ----
  // Every call blocks until the answer or the timeout (default Options::request_timeout).
  using Timeout = std::optional<Duration>;
  Response read(const std::string& endpoint, const std::string& path,
                std::optional<ContentFormat> accept = std::nullopt, Timeout timeout = {});
  Response discover(const std::string& endpoint, const std::string& path, Timeout timeout = {});
  /// replace: PUT (Write Replace); otherwise POST (Write Partial Update).
  Response write(const std::string& endpoint, const std::string& path, Bytes payload,
                 ContentFormat content_format, bool replace = true, Timeout timeout = {});
  /// attributes: "pmin=1&pmax=5" (one Uri-Query per '&'-separated part).
  Response write_attributes(const std::string& endpoint, const std::string& path,
                            const std::string& attributes, Timeout timeout = {});
  Response execute(const std::string& endpoint, const std::string& path,
                   const std::string& arguments = "", Timeout timeout = {});
  Response create(const std::string& endpoint, const std::string& object_path, Bytes payload,
                  ContentFormat content_format, Timeout timeout = {});
  Response del(const std::string& endpoint, const std::string& path, Timeout timeout = {});
  /// FETCH with a list of paths in `request_format` (SenML JSON/CBOR, built by the caller).
  Response read_composite(const std::string& endpoint, Bytes paths, ContentFormat request_format,
                          std::optional<ContentFormat> accept = std::nullopt, Timeout timeout = {});
  /// iPATCH with records in `content_format`.
  Response write_composite(const std::string& endpoint, Bytes payload, ContentFormat content_format,
                           Timeout timeout = {});
  /// GET with Observe 0; waits for the first answer.
  Observation observe(const std::string& endpoint, const std::string& path,
                      std::optional<ContentFormat> accept = std::nullopt, Timeout timeout = {});
  /// FETCH with Observe 0 (Observe-Composite).
  Observation observe_composite(const std::string& endpoint, Bytes paths,
                                ContentFormat request_format,
                                std::optional<ContentFormat> accept = std::nullopt,
                                Timeout timeout = {});
  /// Proactive cancel: the same request with Observe 1 (RFC 7641 §3.6); returns its answer.
  Response cancel_observe(Observation& observation, Timeout timeout = {});
  /// Reactive cancel: forget the token; the next notification is answered with RST
  /// (Event::Kind::notification_rejected).
  void forget_observation(Observation& observation);
  /// Any request.
  Response send_request(const std::string& endpoint, const Request& request, Timeout timeout = {});

 private:
  Observation start_observation(const std::string& endpoint, Request request, Timeout timeout);
  std::unique_ptr<detail::Impl> impl_;
};

// ---- bootstrap ----------------------------------------------------------------------

struct BootstrapStep {
  enum class Kind { del, write, discover, read };
  Kind kind = Kind::del;
  std::string path = "/";
  std::optional<ContentFormat> content_format;  ///< write: payload format; read: Accept
  Bytes payload;

  static BootstrapStep delete_path(std::string path = "/");
  static BootstrapStep write(std::string path, Bytes payload,
                             ContentFormat cf = ContentFormat::tlv);
  static BootstrapStep discover(std::string path = "/");
  static BootstrapStep read(std::string path, std::optional<ContentFormat> accept = std::nullopt);
  /// "DELETE /", "PUT /0 (tlv, 40 bytes)", ...
  std::string describe() const;
};

struct BootstrapScript {
  std::vector<BootstrapStep> steps;
  /// Send Bootstrap-Finish after the steps.
  bool finish = true;
  /// Stop (no Finish) at the first step answered with an error or not answered.
  bool stop_on_error = true;
};

struct BootstrapStepResult {
  BootstrapStep step;
  Response response;
};

struct BootstrapResult {
  std::string endpoint;
  std::optional<std::string> preferred_content_format;  ///< "pct" of the request
  std::vector<BootstrapStepResult> steps;
  std::optional<Response> finish;  ///< the answer to Bootstrap-Finish
  bool completed = false;          ///< every step and Finish answered 2.xx
  std::string failure;             ///< why not, otherwise
};

/// The LwM2M Bootstrap Server: answers POST /bs?ep=&pct= with 2.04, then plays the script
/// set for that endpoint (or the default script) against the client.
class BootstrapServer {
 public:
  explicit BootstrapServer(Options options = {});
  ~BootstrapServer();
  BootstrapServer(const BootstrapServer&) = delete;
  BootstrapServer& operator=(const BootstrapServer&) = delete;

  uint16_t port() const;
  std::string uri() const;

  /// Script for every endpoint without its own.
  void set_script(BootstrapScript script);
  void set_script(const std::string& endpoint, BootstrapScript script);

  std::optional<Event> wait_requested(const std::string& endpoint, Duration timeout);
  /// Waits until the script for `endpoint` has ended (finished or failed).
  std::optional<BootstrapResult> wait_finished(const std::string& endpoint, Duration timeout);
  std::optional<Event> wait_event(Event::Kind kind, const std::string& endpoint, Duration timeout);
  std::vector<Event> events() const;

  /// Answers the next `count` Bootstrap-Requests with `code`.
  void reject_requests(int count, uint8_t code = coap_code(5, 3));
  void drop_outgoing(int count);

 private:
  std::unique_ptr<detail::Impl> impl_;
};

// ---- TLV (OMA LwM2M Core §7.4.3): payloads for Bootstrap-Write -----------------------

namespace tlv {

/// Security object (/0) instance.
struct SecurityInstance {
  std::string server_uri;                  ///< 0: "coap://127.0.0.1:5683"
  bool bootstrap_server = false;           ///< 1
  int64_t security_mode = 3;               ///< 2: 0 PSK, 1 RPK, 2 certificate, 3 NoSec, 4 EST
  Bytes identity;                          ///< 3: PSK identity / public key or certificate
  Bytes server_public_key;                 ///< 4
  Bytes secret_key;                        ///< 5
  std::optional<int64_t> short_server_id;  ///< 10 (absent for the bootstrap server)
  std::optional<int64_t> client_hold_off;  ///< 11
};

/// Server object (/1) instance.
struct ServerInstance {
  int64_t short_server_id = 1;          ///< 0
  int64_t lifetime = 86400;             ///< 1
  std::optional<int64_t> default_pmin;  ///< 2
  std::optional<int64_t> default_pmax;  ///< 3
  bool notification_storing = true;     ///< 6
  std::string binding = "U";            ///< 7
};

/// One TLV element: identifier type (0 object instance, 1 resource instance, 2 multiple
/// resource, 3 resource with value), identifier, value.
Bytes element(int type, uint16_t id, const Bytes& value);
Bytes resource(uint16_t id, const Bytes& value);
Bytes resource(uint16_t id, std::string_view text);
Bytes resource_int(uint16_t id, int64_t value);  ///< shortest of 1, 2, 4, 8 bytes
Bytes resource_bool(uint16_t id, bool value);

/// The resources of an instance (for a write to /0/<iid>).
Bytes security_resources(const SecurityInstance& s);
Bytes server_resources(const ServerInstance& s);
/// Wrapped in an Object Instance element (for a write to /0 or /1).
Bytes security_instance(uint16_t instance_id, const SecurityInstance& s);
Bytes server_instance(uint16_t instance_id, const ServerInstance& s);

}  // namespace tlv

/// "0a1b" -> bytes; throws Error on odd length or a non-hex digit.
Bytes from_hex(std::string_view hex);
std::string to_hex(const Bytes& bytes);
inline Bytes to_bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

}  // namespace lwm2m::testserver
