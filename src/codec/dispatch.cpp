// SPDX-License-Identifier: Apache-2.0
#include "codec/dispatch.hpp"

#include <initializer_list>
#include <type_traits>

#include "lwm2m/codec/negotiate.hpp"

namespace lwm2m::codec {
namespace {

template <class D, class... Args>
Decoder* emplace(unsigned char* storage, ByteView payload, const DecodeContext& ctx,
                 Args... args) noexcept {
  static_assert(sizeof(D) <= AnyDecoder::kStorage, "AnyDecoder::kStorage too small");
  static_assert(alignof(D) <= alignof(std::max_align_t));
  static_assert(std::is_trivially_destructible_v<D>, "AnyDecoder::close() runs no destructor");
  return new (storage) D(payload, ctx, args...);
}

// Visible to the compiler (unlike the public can_encode()): negotiation's lists of
// formats fold to those the build has.
constexpr bool compiled_in(ContentFormat f) noexcept {
  switch (f) {
    case ContentFormat::text_plain:
      return true;
    case ContentFormat::octet_stream:
      return true;
    case ContentFormat::lwm2m_tlv:
      return true;
    case ContentFormat::senml_json:
      return LWM2M_WITH_SENML_JSON;
    case ContentFormat::senml_cbor:
      return LWM2M_WITH_SENML_CBOR;
    case ContentFormat::cbor:
      return LWM2M_WITH_CBOR;
    case ContentFormat::lwm2m_cbor:
      return LWM2M_WITH_LWM2M_CBOR;
    case ContentFormat::lwm2m_json:
      return LWM2M_WITH_LWM2M_JSON;
    default:
      return false;
  }
}

}  // namespace

bool can_encode(ContentFormat f) noexcept {
  return compiled_in(f);
}

bool can_decode(ContentFormat f) noexcept {
  return can_encode(f);
}

Status encode(ContentFormat f, const dm::Path& base, RecordSource& src, Sink& out) noexcept {
  (void)base;
  (void)src;
  (void)out;
  switch (f) {
    case ContentFormat::text_plain:
      return encode_text(base, src, out);
    case ContentFormat::octet_stream:
      return encode_opaque(base, src, out);
    case ContentFormat::lwm2m_tlv:
      return encode_tlv(base, src, out);
#if LWM2M_WITH_SENML_JSON
    case ContentFormat::senml_json:
      return encode_senml_json(base, src, out);
#endif
#if LWM2M_WITH_SENML_CBOR
    case ContentFormat::senml_cbor:
      return encode_senml_cbor(base, src, out);
#endif
#if LWM2M_WITH_CBOR
    case ContentFormat::cbor:
      return encode_cbor_value(base, src, out);
#endif
#if LWM2M_WITH_LWM2M_CBOR
    case ContentFormat::lwm2m_cbor:
      return encode_lwm2m_cbor(base, src, out);
#endif
#if LWM2M_WITH_LWM2M_JSON
    case ContentFormat::lwm2m_json:
      return encode_lwm2m_json(base, src, out);
#endif
    default:
      return Errc::unsupported_content_format;
  }
}

Status AnyDecoder::open(ContentFormat f, ByteView payload, const DecodeContext& ctx) noexcept {
  close();
  (void)payload;
  (void)ctx;
  switch (f) {
    case ContentFormat::text_plain:
    case ContentFormat::octet_stream:
      // OpaqueDecoder is the text decoder reading raw bytes: made here as one, its own
      // vtable is not linked.
      decoder_ = emplace<TextDecoder>(storage_, payload, ctx, f == ContentFormat::octet_stream);
      break;
    case ContentFormat::lwm2m_tlv:
      decoder_ = emplace<TlvDecoder>(storage_, payload, ctx);
      break;
#if LWM2M_WITH_SENML_JSON
    case ContentFormat::senml_json:
      decoder_ = emplace<SenmlJsonDecoder>(storage_, payload, ctx);
      break;
#endif
#if LWM2M_WITH_SENML_CBOR
    case ContentFormat::senml_cbor:
      decoder_ = emplace<SenmlCborDecoder>(storage_, payload, ctx);
      break;
#endif
#if LWM2M_WITH_CBOR
    case ContentFormat::cbor:
      decoder_ = emplace<CborValueDecoder>(storage_, payload, ctx);
      break;
#endif
#if LWM2M_WITH_LWM2M_CBOR
    case ContentFormat::lwm2m_cbor:
      decoder_ = emplace<Lwm2mCborDecoder>(storage_, payload, ctx);
      break;
#endif
#if LWM2M_WITH_LWM2M_JSON
    case ContentFormat::lwm2m_json:
      decoder_ = emplace<Lwm2mJsonDecoder>(storage_, payload, ctx);
      break;
#endif
    default:
      return Errc::unsupported_content_format;
  }
  return {};
}

Result<bool> AnyDecoder::next(Record& out) noexcept {
  if (!decoder_) return Errc::invalid_state;
  return decoder_->next(out);
}

void AnyDecoder::close() noexcept {
  decoder_ = nullptr;  // trivially destructible: its bytes are simply reused
}

// ---- negotiation ----

namespace {

bool composite_format(ContentFormat f) noexcept {
  return f == ContentFormat::senml_json || f == ContentFormat::senml_cbor ||
         f == ContentFormat::lwm2m_cbor;
}

// The first format of a list of preferences that the build has, chosen at compile time.
constexpr auto kNoFormat = static_cast<ContentFormat>(0xFFFF);
constexpr ContentFormat first_compiled_in(std::initializer_list<ContentFormat> formats) {
  for (ContentFormat f : formats)
    if (compiled_in(f)) return f;
  return kNoFormat;
}
constexpr ContentFormat kCompositeDefault = first_compiled_in(
    {ContentFormat::senml_cbor, ContentFormat::senml_json, ContentFormat::lwm2m_cbor});
constexpr ContentFormat kMultiValueDefault =
    first_compiled_in({ContentFormat::senml_cbor, ContentFormat::lwm2m_tlv,
                       ContentFormat::lwm2m_cbor, ContentFormat::senml_json});

}  // namespace

Result<ContentFormat> choose_format(std::optional<uint16_t> accept, Operation op,
                                    const Target& target, LwM2MVersion version) noexcept {
  if (op == Operation::discover) {
    if (accept && *accept != static_cast<uint16_t>(ContentFormat::link_format))
      return Errc::not_acceptable;
    return ContentFormat::link_format;
  }
  if (!accept) {
    if (op == Operation::composite) {
      if (kCompositeDefault == kNoFormat) return Errc::not_acceptable;
      return kCompositeDefault;
    }
    if (target.single_value) {  // text and octet-stream are in every build
      return target.type == dm::DataType::opaque ? ContentFormat::octet_stream
                                                 : ContentFormat::text_plain;
    }
    if (version == LwM2MVersion::v1_0) {
      if (compiled_in(ContentFormat::lwm2m_tlv)) return ContentFormat::lwm2m_tlv;
    }
    if (kMultiValueDefault == kNoFormat) return Errc::not_acceptable;
    return kMultiValueDefault;
  }
  auto f = static_cast<ContentFormat>(*accept);
  if (!compiled_in(f)) return Errc::not_acceptable;
  if (op == Operation::composite) {
    // (Known at compile time when the build has no composite format.)
    if (kCompositeDefault == kNoFormat || !composite_format(f)) return Errc::not_acceptable;
    return f;
  }
  // Of the formats a build can have, all but these three carry several values (TLV, SenML
  // JSON and CBOR, LwM2M CBOR and JSON).
  const bool single_value_format = f == ContentFormat::text_plain ||
                                   f == ContentFormat::octet_stream ||
                                   (LWM2M_WITH_CBOR && f == ContentFormat::cbor);
  if (!single_value_format) return f;
  // Single-value formats: text and CBOR for any one value, octet-stream for opaque only.
  if (!target.single_value) return Errc::not_acceptable;
  if (f == ContentFormat::octet_stream && target.type != dm::DataType::opaque)
    return Errc::not_acceptable;
  return f;
}

}  // namespace lwm2m::codec
