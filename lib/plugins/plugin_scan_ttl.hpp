// SPDX-License-Identifier: GPL-3.0-or-later
// What an LV2 bundle's Turtle files say of its plugins, for plugin-scan:
// names, classes, ports. Read with a small reader of the Turtle that
// bundles are written in (prefixes, IRIs, prefixed names, `a`, `;` and `,`
// lists, [ ] blank nodes, literals); what it does not understand it reads
// past. Full RDF is lilv's business. No JUCE here.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace vr {

// One LV2 plugin as its bundle describes it. Counts are of ports (one
// channel each); a field the files do not give stays empty.
struct lv2_description {
    std::string uri;
    std::string binary;                 // absolute path of its lv2:binary, "" when none is named
    std::optional<std::string> name;    // doap:name
    std::optional<std::string> vendor;  // foaf:name of its doap:maintainer (or doap:developer)
    std::optional<std::string> version;  // "MINOR.MICRO" from lv2:minorVersion and lv2:microVersion
    std::vector<std::string> classes;   // its rdf:types, full IRIs
    int audio_inputs = 0;               // audio input ports but the sidechain's
    int audio_outputs = 0;
    int sidechain_inputs = 0;  // audio inputs marked lv2:isSideChain or outside the main input group
    int parameters = 0;        // control input ports and patch:writable parameters
    bool midi_input = false;   // an atom or event input port that takes midi:MidiEvent
    bool ports_known = false;  // the files declare ports for it at all
};

// "instrument" (lv2:InstrumentPlugin), "midi_effect" (lv2:MIDIPlugin) or
// "effect" (any other class).
std::string lv2_category(const lv2_description& d);

// The plugins of the bundle (a folder holding manifest.ttl), in the
// manifest's order, read from the manifest and the files its rdfs:seeAlso
// name inside the bundle. An empty list for a bundle that declares no
// plugin (a specification's). Throws record_error naming the manifest when
// it cannot be read; a seeAlso file that cannot be read is left out.
std::vector<lv2_description> read_lv2_bundle(const std::string& bundle);

// The same from texts already read: the manifest's first, then the other
// files of the bundle; relative IRIs are taken against the bundle.
std::vector<lv2_description> describe_lv2_texts(const std::vector<std::string>& texts, const std::string& bundle);

}  // namespace vr
