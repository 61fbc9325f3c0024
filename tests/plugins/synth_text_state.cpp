// SPDX-License-Identifier: GPL-3.0-or-later
#include "synth_text_state.hpp"

#include <juce_audio_processors/juce_audio_processors.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "test_synth.hpp"

namespace vr::test_synth {

namespace {

constexpr const char* xml_root = "vrTestSynth";

// Nine significant digits give a float back exactly.
juce::String float_text(float v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    return buf;
}

std::optional<synth_state> from_json(const void* data, std::size_t size)
{
    juce::var doc;
    const juce::String text = juce::String::fromUTF8(static_cast<const char*>(data), static_cast<int>(size));
    if (juce::JSON::parse(text, doc).failed() || !doc.isObject())
        return std::nullopt;
    if (doc["plugin"].toString() != "vr-test-synth")
        return std::nullopt;
    const juce::var version = doc["version"];
    if (!(version.isInt() || version.isInt64() || version.isDouble()) ||
        static_cast<double>(version) > text_state_version)
        return std::nullopt;
    const auto* values = doc["values"].getArray();
    if (values == nullptr || values->isEmpty())
        return std::nullopt;
    synth_state s;
    for (const auto& v : *values)
        s.values.push_back(static_cast<float>(static_cast<double>(v)));
    s.program = static_cast<std::uint32_t>(std::max(0, static_cast<int>(doc["program"])));
    return s;
}

std::optional<synth_state> from_xml(const void* data, std::size_t size)
{
    const auto xml = juce::AudioProcessor::getXmlFromBinary(data, static_cast<int>(size));
    if (xml == nullptr || !xml->hasTagName(xml_root))
        return std::nullopt;
    if (!xml->hasAttribute("version") || xml->getDoubleAttribute("version") > text_state_version)
        return std::nullopt;
    synth_state s;
    for (const auto& word : juce::StringArray::fromTokens(xml->getStringAttribute("values"), " ", ""))
        if (word.isNotEmpty())
            s.values.push_back(static_cast<float>(std::strtod(word.toRawUTF8(), nullptr)));
    if (s.values.empty())
        return std::nullopt;
    s.program = static_cast<std::uint32_t>(std::max(0, xml->getIntAttribute("program")));
    return s;
}

} // namespace

text_state text_state_requested()
{
    const char* v = std::getenv("VR_TEST_SYNTH_STATE");
    if (v != nullptr && std::strcmp(v, "json") == 0)
        return text_state::json;
    if (v != nullptr && std::strcmp(v, "xml") == 0)
        return text_state::xml;
    if (v != nullptr && std::strcmp(v, "keep") == 0)
        return text_state::keep;
    return text_state::none;
}

juce::MemoryBlock encode_text_state(text_state form, const synth_state& s)
{
    juce::MemoryBlock out;
    if (form == text_state::json) {
        juce::String text = "{\"plugin\": \"vr-test-synth\", \"version\": " + juce::String(text_state_version) +
                            ", \"program\": " + juce::String(static_cast<int>(s.program)) + ", \"values\": [";
        for (std::size_t i = 0; i < s.values.size(); ++i)
            text << (i > 0 ? ", " : "") << float_text(s.values[i]);
        text << "]}\n";
        out.append(text.toRawUTF8(), text.getNumBytesAsUTF8());
    } else if (form == text_state::xml) {
        juce::XmlElement root(xml_root);
        root.setAttribute("version", text_state_version);
        root.setAttribute("program", static_cast<int>(s.program));
        juce::StringArray words;
        for (float v : s.values)
            words.add(float_text(v));
        root.setAttribute("values", words.joinIntoString(" "));
        juce::AudioProcessor::copyXmlToBinary(root, out);
    }
    return out;
}

std::optional<synth_state> decode_text_state(text_state form, const void* data, std::size_t size)
{
    if (data == nullptr || size == 0)
        return std::nullopt;
    if (form == text_state::json)
        return from_json(data, size);
    if (form == text_state::xml)
        return from_xml(data, size);
    return std::nullopt;
}

void processor::getStateInformation(juce::MemoryBlock& dest)
{
    synth_state s;
    for (auto* p : values_)
        s.values.push_back(p->get());
    s.program = static_cast<std::uint32_t>(current_program_);
    {
        const juce::ScopedLock hold(payload_lock_);
        s.payload = payload_;
    }
    const auto blob = encode_state(s);
    dest.replaceAll(blob.data(), blob.size());
    if (variant_.state_form == text_state::json || variant_.state_form == text_state::xml)
        dest = encode_text_state(variant_.state_form, s);
    else if (!kept_.empty())
        dest.replaceAll(kept_.data(), kept_.size());
}

juce::AudioProcessorEditor* processor::createEditor()
{
    editor_made_ = true;
    if (auto pending = std::exchange(pending_state_, std::nullopt))
        setStateInformation(pending->getData(), static_cast<int>(pending->getSize()));
    return make_editor(*this, *values_[p_level], [this] { return payload_text(); }, variant_.editor);
}

void processor::setStateInformation(const void* data, int size)
{
    if (variant_.editor == editor_kind::after && !editor_made_) {
        pending_state_ = juce::MemoryBlock(data, static_cast<std::size_t>(std::max(size, 0)));
        return;
    }
    const auto n = static_cast<std::size_t>(std::max(size, 0));
    set_crc(data != nullptr ? crc32(data, n) : crc32("", 0));
    const bool text = variant_.state_form == text_state::json || variant_.state_form == text_state::xml;
    const auto s = text ? decode_text_state(variant_.state_form, data, n) : decode_state(data, n);
    if (!s && variant_.state_form == text_state::keep && n > 0)
        kept_.assign(static_cast<const std::uint8_t*>(data), static_cast<const std::uint8_t*>(data) + n);
    if (!s)
        return;
    kept_.clear();
    for (std::size_t i = 0; i < values_.size(); ++i) {
        juce::AudioProcessorParameter* p = values_[i];
        const bool given = i < s->values.size() && !std::isnan(s->values[i]);
        const float v = given ? s->values[i] : p->getDefaultValue();
        p->setValueNotifyingHost(std::clamp(v, 0.0f, 1.0f));
    }
    current_program_ = s->program < factory_programs.size() ? static_cast<int>(s->program) : 0;
    const juce::ScopedLock hold(payload_lock_);
    payload_ = s->payload;
}

juce::String processor::payload_text() const
{
    const juce::ScopedLock hold(payload_lock_);
    if (payload_.empty())
        return {};
    const bool printable = payload_.size() <= 32 &&
        std::all_of(payload_.begin(), payload_.end(), [](std::uint8_t c) { return c >= 0x20 && c < 0x7f; });
    if (printable)
        return juce::String(reinterpret_cast<const char*>(payload_.data()), payload_.size());
    return juce::String(static_cast<int>(payload_.size())) + " bytes of payload";
}

} // namespace vr::test_synth
