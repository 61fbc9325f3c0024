// SPDX-License-Identifier: GPL-3.0-or-later
#include "dataset/sample.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <numbers>

#include "dataset/draw.hpp"
#include "dataset/sobol.hpp"

namespace vr::dataset {

const char* method_name(method m) {
    switch (m) {
    case method::uniform: return "uniform";
    case method::sobol: return "sobol";
    case method::lhs: return "lhs";
    case method::around: return "around";
    }
    return "?";
}

std::uint64_t lhs_permute(std::uint64_t i, std::uint64_t n, std::uint64_t seed, std::uint64_t p) {
    if (n <= 1) return 0;
    unsigned bits = static_cast<unsigned>(std::bit_width(n - 1));
    bits += bits & 1;
    unsigned half = bits / 2;
    std::uint64_t mask = (std::uint64_t{1} << half) - 1;
    std::uint64_t x = i;
    do {
        std::uint64_t l = x >> half, r = x & mask;
        for (std::uint64_t round = 0; round < 4; ++round) {
            std::uint64_t f = draw(purpose::lhs_order, seed, p, (round << 32) | r) & mask;
            std::uint64_t next = l ^ f;
            l = r;
            r = next;
        }
        x = (l << half) | r;
    } while (x >= n);
    return x;
}

namespace {

// The directions of as many dimensions as asked so far, made once.
const sobol_directions& directions_for(std::size_t dims) {
    static std::unique_ptr<sobol_directions> made;
    if (!made || made->dims() < dims) made = std::make_unique<sobol_directions>(std::max<std::size_t>(dims, 64));
    return *made;
}

void append_float(std::string& out, float v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_uint(std::string& out, std::uint64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

}  // namespace

sampler::sampler(std::vector<planned_param> plan, const sample_settings& settings)
    : plan_(std::move(plan)), settings_(settings) {
    std::uint32_t dims = 0;
    for (const auto& q : plan_) {
        key_text_.push_back(json(q.key).dump() + ":");
        dim_.push_back(q.fixed ? 0 : dims++);
    }
    if (settings_.how == method::sobol && dims > 0) {
        sobol_ = std::make_unique<scrambled_sobol>(directions_for(dims), settings_.seed, dims);
        sobol_bits_.resize(dims);
    }
    tail_ = ",\"sample_seed\":";
    append_uint(tail_, settings_.seed);
    tail_ += ",\"sample_method\":\"";
    tail_ += method_name(settings_.how);
    tail_ += "\"}\n";
}

sampler::~sampler() = default;

float sampler::vary(const planned_param& q, double u) const {
    if (q.steps >= 2) {
        std::uint64_t n = q.k_hi - q.k_lo + 1;
        std::uint64_t k = q.k_lo + std::min<std::uint64_t>(static_cast<std::uint64_t>(u * static_cast<double>(n)), n - 1);
        return static_cast<float>(static_cast<double>(k) / (q.steps - 1));
    }
    float v = static_cast<float>(q.lo + u * (q.hi - q.lo));
    return std::clamp(v, static_cast<float>(q.lo), static_cast<float>(q.hi));
}

void sampler::values(std::uint64_t i, float* out) const {
    const std::uint64_t seed = settings_.seed;
    if (sobol_ && i != sobol_at_) {
        if (i > 0 && i - 1 == sobol_at_)
            sobol_->step_to(i, sobol_bits_.data());
        else
            sobol_->all_bits(i, sobol_bits_.data());
        sobol_at_ = i;
    }
    for (std::size_t n = 0; n < plan_.size(); ++n) {
        const planned_param& q = plan_[n];
        const auto p = static_cast<std::uint64_t>(q.index);
        if (q.fixed) {
            out[n] = static_cast<float>(q.fixed_value);
            continue;
        }
        switch (settings_.how) {
        case method::uniform: out[n] = vary(q, unit(draw(purpose::uniform, seed, i, p))); break;
        case method::sobol: out[n] = vary(q, sobol_bits_[dim_[n]] * 0x1p-32); break;
        case method::lhs: {
            double jitter = unit(draw(purpose::lhs_jitter, seed, i, p));
            double cell = static_cast<double>(lhs_permute(i, settings_.count, seed, p));
            out[n] = vary(q, std::min((cell + jitter) / static_cast<double>(settings_.count), std::nextafter(1.0, 0.0)));
            break;
        }
        case method::around:
            if (q.steps >= 2) {
                auto k = static_cast<std::int64_t>(std::llround(q.base * (q.steps - 1)));
                k = std::clamp<std::int64_t>(k, q.k_lo, q.k_hi);
                if (q.k_hi > q.k_lo && unit(draw(purpose::step, seed, i, 2 * p)) < settings_.step_probability) {
                    bool up = draw(purpose::step, seed, i, 2 * p + 1) >> 63;
                    if (k == q.k_lo) up = true;
                    if (k == q.k_hi) up = false;
                    k += up ? 1 : -1;
                }
                out[n] = static_cast<float>(static_cast<double>(k) / (q.steps - 1));
            } else {
                // Box-Muller: a standard normal from two uniform draws.
                double u1 = unit(draw(purpose::normal, seed, i, 2 * p));
                double u2 = unit(draw(purpose::normal, seed, i, 2 * p + 1));
                double z = std::sqrt(-2.0 * std::log1p(-u1)) * std::cos(2.0 * std::numbers::pi * u2);
                double v = std::clamp(q.base + settings_.sigma * z, q.lo, q.hi);
                out[n] = std::clamp(static_cast<float>(v), static_cast<float>(q.lo), static_cast<float>(q.hi));
            }
            break;
        }
    }
}

void sampler::append_job(std::string& out, std::string_view prefix, std::uint64_t i) const {
    float small[256];
    std::vector<float> big;
    float* v = small;
    if (plan_.size() > 256) {
        big.resize(plan_.size());
        v = big.data();
    }
    values(i, v);
    out += prefix;
    if (prefix.size() > 1) out += ',';
    out += "\"set_params\":{";
    for (std::size_t n = 0; n < plan_.size(); ++n) {
        if (n) out += ',';
        out += key_text_[n];
        append_float(out, v[n]);
    }
    out += "},\"sample_index\":";
    append_uint(out, i);
    out += tail_;
}

std::string job_prefix(json record) {
    for (const char* stale : {"params", "set_params", "param_values", "param_names_sha256", "params_adjusted"})
        record.erase(stale);
    std::string text = record.dump(-1, ' ', false, json::error_handler_t::strict);
    text.pop_back();  // the closing brace
    return text;
}

void line_batch::flush(std::size_t threshold) {
    if (text_.empty() || text_.size() < threshold) return;
    // write_text adds the last newline back: one write(2) of whole lines.
    text_.pop_back();
    out_.write_text(text_, false);
    text_.clear();
}

}  // namespace vr::dataset
