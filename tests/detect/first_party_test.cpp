// Whether a network's organisation name names a domain's organisation (detect/first_party.hpp).
#include "detect/first_party.hpp"

#include <gtest/gtest.h>

#include <string>

namespace c2scope {

TEST(FirstParty, OwnerNamesTheDomainsOwnLabel) {
  EXPECT_TRUE(detect::owner_names_domain("Dropbox, Inc.", "dropbox.com"));
  EXPECT_TRUE(detect::owner_names_domain("Apple Inc.", "apple.com"));
  EXPECT_TRUE(detect::owner_names_domain("Amazon.com, Inc.", "amazon.com"));
  EXPECT_TRUE(detect::owner_names_domain("Microsoft Corporation", "microsoft.com"));
  EXPECT_TRUE(detect::owner_names_domain("ESET, spol. s r.o.", "eset.com"));
  EXPECT_TRUE(detect::owner_names_domain("GOOGLE", "google.co.uk"));  // case, any suffix
  // GeoLite2-ASN's names (--asn) are AS handles.
  EXPECT_TRUE(detect::owner_names_domain("MICROSOFT-CORP-MSN-AS-BLOCK", "microsoft.com"));
  EXPECT_TRUE(detect::owner_names_domain("AMAZON-02", "amazon.com"));
  // Words run together, hyphens dropped: "T-Mobile" is the words "T" and "Mobile".
  EXPECT_TRUE(detect::owner_names_domain("T-Mobile USA, Inc.", "t-mobile.com"));
  EXPECT_TRUE(detect::owner_names_domain("Deutsche Telekom AG", "deutschetelekom.de"));
}

TEST(FirstParty, AnotherOrganisationsNameOrAWordOfTradeIsNot) {
  // A customer of a cloud or CDN: the domain is not the network owner's.
  EXPECT_FALSE(detect::owner_names_domain("Amazon.com, Inc.", "cam-cloud-ivs.com"));
  EXPECT_FALSE(detect::owner_names_domain("Akamai International B.V.", "eset.com"));
  EXPECT_FALSE(detect::owner_names_domain("Google LLC", "spotify.com"));
  // Only the whole label: a look-alike that adds to the name is someone else's.
  EXPECT_FALSE(detect::owner_names_domain("Dropbox, Inc.", "dropbox-sync.com"));
  EXPECT_FALSE(detect::owner_names_domain("Microsoft Corporation", "microsoftonline-update.net"));
  EXPECT_FALSE(detect::owner_names_domain("Microsoft Corporation", "soft.com"));  // part of a word
  // Words of legal form or trade name no organisation, nor do labels under 4 letters.
  EXPECT_FALSE(detect::owner_names_domain("Cloud Hosting Ltd", "cloud.xyz"));
  EXPECT_FALSE(detect::owner_names_domain("Cloud Hosting Ltd", "cloudhosting.xyz"));
  EXPECT_FALSE(detect::owner_names_domain("OVH SAS", "ovh.net"));
  // Nothing known, or no registrable domain.
  EXPECT_FALSE(detect::owner_names_domain("", "dropbox.com"));
  EXPECT_FALSE(detect::owner_names_domain("Dropbox, Inc.", ""));
  EXPECT_FALSE(detect::owner_names_domain("Dropbox, Inc.", "dropbox"));
  // Bounded: a long owner name is cut, never scanned whole.
  EXPECT_FALSE(detect::owner_names_domain(std::string(100000, 'a') + " Dropbox", "dropbox.com"));
}

}  // namespace c2scope
