package scim

// newUserSchema builds the core User schema of RFC 7643 §4.1, with the
// characteristics of its schema representation (RFC 7643 §8.7.1), preceded
// by the common attributes id, externalId and meta (RFC 7643 §3.1).
//
// Deviations from §8.7.1, each deliberate:
//   - addresses has the "primary" sub-attribute that §4.1.2 and §2.4
//     describe but the §8.7.1 listing omits;
//   - x509Certificates.value is caseExact (it is base64 binary, §2.3.6).
func newUserSchema() *Schema {
	attrs := commonAttributes("User")
	attrs = append(attrs,
		strAttr("userName", "Unique identifier for the User, typically used by the user to directly authenticate to the service provider.  Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users.  REQUIRED.",
			required(), unique(UniqueServer)),
		complexAttr("name", "The components of the user's real name.", []*Attribute{
			strAttr("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III')."),
			strAttr("familyName", "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III')."),
			strAttr("givenName", "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III')."),
			strAttr("middleName", "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III')."),
			strAttr("honorificPrefix", "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III')."),
			strAttr("honorificSuffix", "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III')."),
		}),
		strAttr("displayName", "The name of the User, suitable for display to end-users.  The name SHOULD be the full name of the User being described, if known."),
		strAttr("nickName", "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'."),
		refAttr("profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.", []string{"external"}),
		strAttr("title", "The user's title, such as \"Vice President.\""),
		strAttr("userType", "Used to identify the relationship between the organization and the user.  Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used."),
		strAttr("preferredLanguage", "Indicates the User's preferred written or spoken language.  Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US."),
		strAttr("locale", "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
		strAttr("timezone", "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
		boolAttr("active", "A Boolean value indicating the User's administrative status."),
		strAttr("password", "The User's cleartext password.  Roster does not support password synchronisation: a password sent by a client is accepted and discarded, never stored, logged or returned.",
			writeOnly(), returned(ReturnedNever)),
		complexAttr("emails", "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'.  Canonical type values of 'work', 'home', and 'other'.",
			standardMulti(strAttr("value", "Email addresses for the user."),
				"A label indicating the attribute's function, e.g., 'work' or 'home'.", "work", "home", "other"),
			multiValued()),
		complexAttr("phoneNumbers", "Phone numbers for the User.  The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'.  Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
			standardMulti(strAttr("value", "Phone number of the User."),
				"A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.", "work", "home", "mobile", "fax", "pager", "other"),
			multiValued()),
		complexAttr("ims", "Instant messaging addresses for the User.",
			standardMulti(strAttr("value", "Instant messaging address for the User."),
				"A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.", "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
			multiValued()),
		complexAttr("photos", "URLs of photos of the User.",
			standardMulti(refAttr("value", "URL of a photo of the User.", []string{"external"}),
				"A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.", "photo", "thumbnail"),
			multiValued()),
		complexAttr("addresses", "A physical mailing address for this User.  Canonical type values of 'work', 'home', and 'other'.", []*Attribute{
			strAttr("formatted", "The full mailing address, formatted for display or use with a mailing label.  This attribute MAY contain newlines."),
			strAttr("streetAddress", "The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.  This attribute MAY contain newlines."),
			strAttr("locality", "The city or locality component."),
			strAttr("region", "The state or region component."),
			strAttr("postalCode", "The zip code or postal code component."),
			strAttr("country", "The country name component, as an ISO 3166-1 alpha-2 code."),
			strAttr("type", "A label indicating the attribute's function, e.g., 'work' or 'home'.", canonical("work", "home", "other")),
			boolAttr("primary", descPrimary),
		}, multiValued()),
		complexAttr("groups", "A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.  Read-only: membership is changed through the Group resource.", []*Attribute{
			strAttr("value", "The identifier of the User's group."),
			refAttr("$ref", "The URI of the corresponding 'Group' resource to which the user belongs.", []string{"User", "Group"}),
			strAttr("display", descDisplay),
			strAttr("type", "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.", canonical("direct", "indirect")),
		}, multiValued(), readOnly(), subs(readOnly())),
		complexAttr("entitlements", "A list of entitlements for the User that represent a thing the User has.",
			standardMulti(strAttr("value", "The value of an entitlement."), ""),
			multiValued()),
		complexAttr("roles", "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
			standardMulti(strAttr("value", "The value of a role."), ""),
			multiValued()),
		complexAttr("x509Certificates", "A list of certificates issued to the User.",
			standardMulti(newAttr("value", TypeBinary, "The value of an X.509 certificate (base64).", caseExact()), ""),
			multiValued()),
	)
	return &Schema{
		ID:          UserSchema,
		Name:        "User",
		Description: "User Account",
		Attributes:  attrs,
	}
}
