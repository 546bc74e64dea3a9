#include "metrics/loglikelihood-evaluator.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "invx/error.h"

namespace invx {

TokenizedRequest tokenizeRequest(const BpeTokenizer& tokenizer, const std::string& context,
                                 const std::string& continuation, ContextTokenCache* cache) {
    std::string ctx = context, cont = continuation;
    const std::size_t end = ctx.find_last_not_of(" \t\n\r\f\v");
    const std::size_t keep = end == std::string::npos ? 0 : end + 1;
    cont = ctx.substr(keep) + cont;
    ctx.resize(keep);
    if (ctx.empty())
        throw Error("a log-likelihood request has an empty context (continuation '" +
                    continuation.substr(0, 40) + "')");
    TokenizedRequest r;
    if (cache) {
        auto hit = cache->find(ctx);
        if (hit == cache->end()) hit = cache->emplace(ctx, tokenizer.encode(ctx)).first;
        r.context = hit->second;
    } else {
        r.context = tokenizer.encode(ctx);
    }
    const std::vector<std::int32_t> whole = tokenizer.encode(ctx + cont);
    // Where BPE merges across the boundary the harness still splits at the context's length.
    if (whole.size() <= r.context.size())
        throw Error("the continuation '" + continuation.substr(0, 40) +
                    "' adds no token to its context");
    r.continuation.assign(whole.begin() + std::ptrdiff_t(r.context.size()), whole.end());
    return r;
}

namespace {

// One row of a batch: a context once, then each request's continuation but its last token, at the
// positions it would have alone. A request's first token is predicted from the context's last
// position, which all its requests share; each continuation sees the context and itself.
struct PackedRow {
    std::vector<std::int64_t> tokens, positions, segments;  // segment 0: the context; k: request k
    std::vector<std::size_t> requests;                      // the requests it scores
    std::vector<std::vector<std::int64_t>>
        predictedAt;  // per request: the row index predicting each target
    std::vector<std::vector<std::int64_t>> targets;  // per request: its continuation
};

// The harness's model input is (context + continuation)[-(max + 1):][:-1]; the part before the
// continuation is what requests can share.
std::vector<PackedRow> packRows(const std::vector<TokenizedRequest>& requests,
                                std::int64_t maxLength) {
    std::vector<PackedRow> rows;
    std::map<std::vector<std::int64_t>, std::size_t>
        open;  // context -> the row still taking requests
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const TokenizedRequest& r = requests[i];
        if (r.continuation.empty())
            throw Error("log-likelihood request " + std::to_string(i) +
                        " has no continuation token");
        if (std::int64_t(r.continuation.size()) > maxLength)
            throw Error("log-likelihood request " + std::to_string(i) + " has a continuation of " +
                        std::to_string(r.continuation.size()) + " tokens, more than the model's " +
                        std::to_string(maxLength) + " positions");
        std::vector<std::int64_t> all(r.context.begin(), r.context.end());
        all.insert(all.end(), r.continuation.begin(), r.continuation.end());
        if (std::int64_t(all.size()) > maxLength + 1)
            all.erase(all.begin(), all.end() - (maxLength + 1));
        std::vector<std::int64_t> context(all.begin(),
                                          all.end() - std::ptrdiff_t(r.continuation.size()));
        const std::int64_t extra = std::int64_t(r.continuation.size()) - 1;
        auto found = open.find(context);
        // A row holds up to twice the model's positions, so that one shared by very many requests
        // is split.
        if (found == open.end() ||
            std::int64_t(rows[found->second].tokens.size()) + extra > 2 * maxLength) {
            PackedRow row;
            row.tokens = context;
            row.segments.assign(context.size(), 0);
            for (std::size_t t = 0; t < context.size(); ++t)
                row.positions.push_back(std::int64_t(t));
            rows.push_back(std::move(row));
            found = open.insert_or_assign(context, rows.size() - 1).first;
        }
        PackedRow& row = rows[found->second];
        const std::int64_t contextLength = std::int64_t(context.size()),
                           start = std::int64_t(row.tokens.size());
        const std::int64_t segment = std::int64_t(row.requests.size()) + 1;
        std::vector<std::int64_t> at{contextLength - 1};
        for (std::int64_t t = 0; t < extra; ++t) {
            row.tokens.push_back(r.continuation[std::size_t(t)]);
            row.positions.push_back(contextLength + t);
            row.segments.push_back(segment);
            at.push_back(start + t);
        }
        row.requests.push_back(i);
        row.predictedAt.push_back(std::move(at));
        row.targets.emplace_back(r.continuation.begin(), r.continuation.end());
    }
    return rows;
}

}  // namespace

std::vector<double> evaluateLoglikelihoods(const OptModel& model,
                                           const std::vector<TokenizedRequest>& requests,
                                           const LoglikelihoodOptions& options,
                                           const LoglikelihoodProgress& progress) {
    const std::vector<PackedRow> rows = packRows(requests, model.config().maxPositions);
    // Rows of one request first, then shared ones (each kind in batches of its own: a batch of
    // single requests runs the plain causal forward); longest first within each, so that a batch's
    // padding is small and a batch too large shows at once.
    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0);
    auto shared = [&](std::size_t r) { return rows[r].requests.size() > 1; };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (shared(a) != shared(b)) return !shared(a);
        return rows[a].tokens.size() > rows[b].tokens.size();
    });

    std::vector<double> out(requests.size(), std::numeric_limits<double>::quiet_NaN());
    c10::InferenceMode inference;
    const at::Device device = model.placement().device;
    auto longs = [&](const std::vector<std::int64_t>& v, std::int64_t count, std::int64_t width) {
        return at::tensor(v, at::kLong).view({count, width}).to(device);
    };
    std::size_t next = 0;
    std::int64_t scored = 0;
    while (next < order.size()) {
        const bool packed = shared(order[next]);
        const std::int64_t width = std::int64_t(rows[order[next]].tokens.size());
        std::size_t count = 0;
        const std::size_t most =
            std::size_t(std::max<std::int64_t>(1, options.batchTokens / width));
        while (next + count < order.size() && count < most && shared(order[next + count]) == packed)
            ++count;
        // Padding: OPT's <pad> at position 0 in a segment of its own, after every real token, so
        // that no real query sees it (and it sees the context, so that its softmax is defined).
        std::vector<std::int64_t> ids(count * std::size_t(width), 1), positions(ids.size(), 0),
            segments(ids.size(), -1);
        std::vector<std::int64_t> picked, targets;  // flat index into [count * width], target token
        for (std::size_t b = 0; b < count; ++b) {
            const PackedRow& row = rows[order[next + b]];
            const std::ptrdiff_t offset = std::ptrdiff_t(b * std::size_t(width));
            std::copy(row.tokens.begin(), row.tokens.end(), ids.begin() + offset);
            std::copy(row.positions.begin(), row.positions.end(), positions.begin() + offset);
            std::copy(row.segments.begin(), row.segments.end(), segments.begin() + offset);
            for (std::size_t m = 0; m < row.requests.size(); ++m)
                for (std::size_t t = 0; t < row.targets[m].size(); ++t) {
                    picked.push_back(std::int64_t(b) * width + row.predictedAt[m][t]);
                    targets.push_back(row.targets[m][t]);
                }
        }
        const std::int64_t n = std::int64_t(count);
        at::Tensor input = longs(ids, n, width);
        at::Tensor hidden;
        if (packed) {
            const at::Tensor seg = longs(segments, n, width);
            const at::Tensor index =
                at::arange(width, at::TensorOptions().device(device).dtype(at::kLong));
            const at::Tensor causal = index.unsqueeze(0) <= index.unsqueeze(1);  // [query, key]
            const at::Tensor sees = (seg.unsqueeze(2) == seg.unsqueeze(1)) |
                                    (seg == 0).unsqueeze(1);  // [b, query, key]
            const at::Tensor allowed = sees & causal.unsqueeze(0);
            hidden = model.embed(input, longs(positions, n, width));
            for (std::size_t l = 0; l < std::size_t(model.config().numLayers); ++l)
                hidden = model.forwardLayerMasked(l, hidden, allowed);
        } else {
            hidden = model.embed(input);
            for (std::size_t l = 0; l < std::size_t(model.config().numLayers); ++l)
                hidden = model.forwardLayer(l, hidden);
        }
        at::Tensor chosenRows = hidden.reshape({n * width, hidden.size(-1)})
                                    .index_select(0, at::tensor(picked, at::kLong).to(device))
                                    .unsqueeze(0);
        at::Tensor logp = at::log_softmax(model.head(chosenRows).squeeze(0).to(at::kFloat), -1);
        at::Tensor chosen = logp.gather(-1, at::tensor(targets, at::kLong).to(device).unsqueeze(-1))
                                .squeeze(-1)
                                .to(at::kDouble)
                                .cpu();
        const double* p = chosen.data_ptr<double>();
        std::size_t k = 0;
        for (std::size_t b = 0; b < count; ++b) {
            const PackedRow& row = rows[order[next + b]];
            for (std::size_t m = 0; m < row.requests.size(); ++m) {
                double sum = 0;
                for (std::size_t t = 0; t < row.targets[m].size(); ++t) sum += p[k++];
                const std::size_t i = row.requests[m];
                if (!std::isfinite(sum))
                    throw Error("log-likelihood request " + std::to_string(i) +
                                " is not finite; the model produced NaN or infinite logits");
                out[i] = sum;
            }
            scored += std::int64_t(row.requests.size());
        }
        next += count;
        if (progress && !progress(scored, std::int64_t(requests.size()))) break;
    }
    return out;
}

}  // namespace invx
