// Compile-time sizes of the library's fixed storage. Each can be overridden with -D, the
// way RIOT applications set CONFIG_* values.
#pragma once

/// Longest server URI stored in the Security object (/0/x/0).
#ifndef LWM2M_SECURITY_URI_MAX
#define LWM2M_SECURITY_URI_MAX 128
#endif
/// PSK identity, or our certificate / raw public key in certificate mode (/0/x/3).
#ifndef LWM2M_SECURITY_IDENTITY_MAX
#define LWM2M_SECURITY_IDENTITY_MAX 64
#endif
/// The server's certificate or public key (/0/x/4); 0 in PSK-only builds.
#ifndef LWM2M_SECURITY_SERVER_KEY_MAX
#define LWM2M_SECURITY_SERVER_KEY_MAX 64
#endif
/// PSK key or our private key (/0/x/5).
#ifndef LWM2M_SECURITY_SECRET_MAX
#define LWM2M_SECURITY_SECRET_MAX 64
#endif
/// Binding string of the Server object (/1/x/7), e.g. "UQ".
#ifndef LWM2M_SERVER_BINDING_MAX
#define LWM2M_SERVER_BINDING_MAX 8
#endif
