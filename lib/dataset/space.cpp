// SPDX-License-Identifier: GPL-3.0-or-later
#include "dataset/space.hpp"

#include <algorithm>
#include <cmath>
#include <fnmatch.h>
#include <map>
#include <unordered_map>

#include "core/text.hpp"

namespace vr::dataset {

namespace {

std::string shown(const std::string& key) { return "\"" + printable_excerpt(key, 80) + "\""; }

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_glob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

std::string number_text(double v) {
    json j = v;
    return j.dump();
}

}  // namespace

std::vector<param_info> read_params(const json& record) {
    auto it = record.find("params");
    if (it == record.end() || it->is_null())
        throw record_error("no 'params' field: param-sample reads the records of plugin-scan --params or "
                           "render-one --params");
    if (!it->is_array()) throw record_error("field 'params' must be an array");
    std::vector<param_info> out;
    out.reserve(it->size());
    std::size_t n = 0;
    for (const auto& entry : *it) {
        std::string where = "params[" + std::to_string(n++) + "]";
        if (!entry.is_object()) throw record_error(where + " is not an object");
        param_info p;
        try {
            auto index = get_integer(entry, "index", 0, INT32_MAX);
            if (!index) throw record_error("field 'index' is missing");
            p.index = *index;
            p.name = get_string(entry, "name").value_or("");
            p.value = get_number(entry, "value").value_or(0.0);
            if (auto ro = entry.find("read_only"); ro != entry.end() && !ro->is_null()) {
                if (!ro->is_boolean()) throw record_error("field 'read_only' must be true or false");
                p.read_only = ro->get<bool>();
            }
            p.steps = static_cast<std::uint32_t>(get_integer(entry, "steps", 0, INT32_MAX).value_or(0));
            if (auto texts = entry.find("step_texts"); texts != entry.end() && texts->is_array() && p.steps == 0)
                p.steps = static_cast<std::uint32_t>(texts->size());
        } catch (const record_error& e) {
            throw record_error(where + ": " + e.what());
        }
        if (!(p.value >= 0 && p.value <= 1)) p.value = std::clamp(std::isnan(p.value) ? 0.0 : p.value, 0.0, 1.0);
        out.push_back(std::move(p));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    for (std::size_t i = 1; i < out.size(); ++i)
        if (out[i].index == out[i - 1].index)
            throw record_error("params: index " + std::to_string(out[i].index) + " listed twice");
    return out;
}

std::vector<space_rule> parse_space(const std::string& text, const std::string& file) {
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::exception& e) {
        std::string why = e.what();
        if (auto at = why.find("] "); at != std::string::npos) why.erase(0, at + 2);
        throw usage_error(file + ": not JSON: " + why);
    }
    if (!doc.is_object()) throw usage_error(file + ": a space file is a JSON object of parameter to rule");
    std::vector<space_rule> rules;
    auto range_of = [&](const std::string& key, const json& v, space_rule& r) {
        if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number())
            throw usage_error(file + ": " + shown(key) + ": a range is [lo, hi], two numbers");
        r.lo = v[0].get<double>();
        r.hi = v[1].get<double>();
        if (!(r.lo >= 0 && r.hi <= 1 && r.lo <= r.hi))
            throw usage_error(file + ": " + shown(key) + ": range [" + number_text(r.lo) + ", " + number_text(r.hi) +
                              "] must lie in [0, 1], lo <= hi");
    };
    for (const auto& [key, v] : doc.items()) {
        space_rule r;
        r.key = key;
        if (key.empty()) throw usage_error(file + ": an empty key names no parameter");
        if (v.is_number()) {
            r.what = space_rule::kind::fixed;
            r.value = v.get<double>();
            if (!(r.value >= 0 && r.value <= 1))
                throw usage_error(file + ": " + shown(key) + ": value " + number_text(r.value) +
                                  " is outside [0, 1] (values are normalized)");
        } else if (v.is_string() && v.get<std::string>() == "exclude") {
            r.what = space_rule::kind::exclude;
        } else if (v.is_array()) {
            range_of(key, v, r);
        } else if (v.is_object()) {
            for (const auto& [option, value] : v.items()) {
                if (option == "range") {
                    range_of(key, value, r);
                } else if (option == "steps") {
                    if (!value.is_number_integer() || value.get<std::int64_t>() < 2 || value.get<std::int64_t>() > INT32_MAX)
                        throw usage_error(file + ": " + shown(key) + ": \"steps\" must be a whole number >= 2");
                    r.steps = static_cast<std::uint32_t>(value.get<std::int64_t>());
                } else {
                    throw usage_error(file + ": " + shown(key) + ": unknown option " + shown(option) +
                                      " (a rule object takes \"range\" and \"steps\")");
                }
            }
        } else {
            throw usage_error(file + ": " + shown(key) + ": a rule is a number, \"exclude\", [lo, hi] or "
                              "{\"range\": [lo, hi], \"steps\": N}");
        }
        rules.push_back(std::move(r));
    }
    return rules;
}

std::vector<std::string> set_params_keys(const std::vector<param_info>& params) {
    std::unordered_map<std::string, int> seen;
    for (const auto& p : params) ++seen[p.name];
    std::vector<std::string> keys;
    keys.reserve(params.size());
    for (const auto& p : params)
        keys.push_back(!p.name.empty() && !all_digits(p.name) && seen[p.name] == 1 ? p.name : std::to_string(p.index));
    return keys;
}

std::vector<planned_param> make_plan(const std::vector<param_info>& params, const std::vector<space_rule>& rules,
                                     const std::string& file) {
    // For each parameter: the rule of its exact name or index, and the last
    // glob that matches it.
    std::vector<const space_rule*> exact(params.size(), nullptr), glob(params.size(), nullptr);
    std::vector<std::string> names;
    names.reserve(params.size());
    for (const auto& p : params) names.push_back(p.name);
    for (const auto& r : rules) {
        std::size_t hits = 0;
        bool by_name = std::find(names.begin(), names.end(), r.key) != names.end();
        for (std::size_t i = 0; i < params.size(); ++i) {
            const auto& p = params[i];
            bool match = by_name ? p.name == r.key
                                 : all_digits(r.key) ? std::to_string(p.index) == r.key
                                                     : is_glob(r.key) && fnmatch(r.key.c_str(), p.name.c_str(), 0) == 0;
            if (!match) continue;
            ++hits;
            if (by_name || all_digits(r.key)) {
                if (exact[i])
                    throw space_mismatch(file + ": parameter " + std::to_string(p.index) + " " + shown(p.name) +
                                         " is named twice: " + shown(exact[i]->key) + " and " + shown(r.key));
                if (p.read_only && r.what != space_rule::kind::exclude)
                    throw space_mismatch(file + ": " + shown(r.key) + ": parameter " + std::to_string(p.index) +
                                         " is read-only; it is never set");
                exact[i] = &r;
            } else {
                glob[i] = &r;
            }
        }
        if (hits) continue;
        if (all_digits(r.key))
            throw space_mismatch(file + ": " + shown(r.key) + ": no parameter has index " + r.key + " (the plugin's " +
                                 std::to_string(params.size()) + " parameters)");
        if (is_glob(r.key)) throw space_mismatch(file + ": " + shown(r.key) + ": the glob matches no parameter name");
        auto near = closest_matches(r.key, names, 1);
        throw space_mismatch(file + ": " + shown(r.key) + ": no parameter of that name" +
                             (near.empty() ? std::string() : "; did you mean " + shown(names[near.front()]) + "?"));
    }

    auto keys = set_params_keys(params);
    std::vector<planned_param> plan;
    for (std::size_t i = 0; i < params.size(); ++i) {
        const auto& p = params[i];
        if (p.read_only) continue;
        const space_rule* r = exact[i] ? exact[i] : glob[i];
        planned_param q;
        q.index = p.index;
        q.key = keys[i];
        q.base = p.value;
        q.steps = p.steps;
        if (r) {
            if (r->what == space_rule::kind::exclude) continue;
            if (r->what == space_rule::kind::fixed) {
                q.fixed = true;
                q.fixed_value = r->value;
                plan.push_back(std::move(q));
                continue;
            }
            q.lo = r->lo;
            q.hi = r->hi;
            if (r->steps) q.steps = r->steps;
        }
        if (q.steps == 1) continue;  // one value only: nothing to set
        if (q.steps >= 2) {
            double last = q.steps - 1;
            q.k_lo = static_cast<std::uint32_t>(std::ceil(q.lo * last - 1e-9));
            q.k_hi = static_cast<std::uint32_t>(std::floor(q.hi * last + 1e-9));
            if (q.k_lo > q.k_hi)
                throw space_mismatch(file + ": " + shown(r ? r->key : p.name) + ": range [" + number_text(q.lo) +
                                     ", " + number_text(q.hi) + "] holds none of parameter " +
                                     std::to_string(p.index) + "'s " + std::to_string(q.steps) + " steps");
        }
        plan.push_back(std::move(q));
    }
    return plan;
}

}  // namespace vr::dataset
