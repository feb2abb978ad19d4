// First-party networks: whether an organisation's name (an AS's, "Dropbox, Inc.") is the one a domain is
// registered under ("dropbox.com"). See BeaconParams::first_party.
#pragma once

#include <string_view>

namespace c2scope::detect {

// Whether `owner` (a network's organisation name) names the organisation of `registrable` (a registrable
// domain, detect/public_suffix.hpp): the domain's own label, without its hyphens, equals one word of the
// owner's name or several consecutive ones run together ("apple.com" / "Apple Inc.", "t-mobile.com" /
// "T-Mobile USA, Inc."), case ignored. A label shorter than 4 letters never matches, nor one that is only a
// word of legal form or trade ("inc", "gmbh", "hosting", "cloud", "telecom"): those name no organisation.
// Bounded by the lengths of both (at most 256 bytes of each are looked at).
bool owner_names_domain(std::string_view owner, std::string_view registrable);

}  // namespace c2scope::detect
