#include "loglikelihood-evaluator.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "invx/error.h"

namespace invx {

TokenizedRequest tokenizeRequest(const BpeTokenizer& tokenizer, const std::string& context, const std::string& continuation,
                                 ContextTokenCache* cache) {
    std::string ctx = context, cont = continuation;
    const std::size_t end = ctx.find_last_not_of(" \t\n\r\f\v");
    const std::size_t keep = end == std::string::npos ? 0 : end + 1;
    cont = ctx.substr(keep) + cont;
    ctx.resize(keep);
    if (ctx.empty()) throw Error("a log-likelihood request has an empty context (continuation '" + continuation.substr(0, 40) + "')");
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
        throw Error("the continuation '" + continuation.substr(0, 40) + "' adds no token to its context");
    r.continuation.assign(whole.begin() + std::ptrdiff_t(r.context.size()), whole.end());
    return r;
}

std::vector<double> evaluateLoglikelihoods(const OptModel& model, const std::vector<TokenizedRequest>& requests,
                                           const LoglikelihoodOptions& options, const LoglikelihoodProgress& progress) {
    const std::int64_t maxLength = model.config().maxPositions;
    struct Row {
        std::vector<std::int64_t> tokens;  // the model's input: (context + continuation)[-(max+1):][:-1]
        std::vector<std::int64_t> targets;  // the continuation
    };
    std::vector<Row> rows(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const TokenizedRequest& r = requests[i];
        if (r.continuation.empty()) throw Error("log-likelihood request " + std::to_string(i) + " has no continuation token");
        if (std::int64_t(r.continuation.size()) > maxLength)
            throw Error("log-likelihood request " + std::to_string(i) + " has a continuation of " +
                        std::to_string(r.continuation.size()) + " tokens, more than the model's " + std::to_string(maxLength) + " positions");
        std::vector<std::int64_t> all(r.context.begin(), r.context.end());
        all.insert(all.end(), r.continuation.begin(), r.continuation.end());
        if (std::int64_t(all.size()) > maxLength + 1) all.erase(all.begin(), all.end() - (maxLength + 1));
        rows[i].targets.assign(r.continuation.begin(), r.continuation.end());
        rows[i].tokens.assign(all.begin(), all.end() - 1);
    }
    // Longest first: a batch's padding is then small, and a batch too large shows at once.
    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rows[a].tokens.size() > rows[b].tokens.size(); });

    std::vector<double> out(requests.size(), std::numeric_limits<double>::quiet_NaN());
    c10::InferenceMode inference;
    const at::Device device = model.placement().device;
    std::size_t next = 0;
    while (next < order.size()) {
        const std::int64_t width = std::int64_t(rows[order[next]].tokens.size());
        const std::size_t count = std::max<std::size_t>(
            1, std::min<std::size_t>(order.size() - next, std::size_t(std::max<std::int64_t>(1, options.batchTokens / width))));
        std::vector<std::int64_t> ids(count * std::size_t(width), 1);  // padding: OPT's <pad>, never read
        std::vector<std::int64_t> positions, targets;  // flat index into [count * width], target token
        for (std::size_t b = 0; b < count; ++b) {
            const Row& row = rows[order[next + b]];
            std::copy(row.tokens.begin(), row.tokens.end(), ids.begin() + std::ptrdiff_t(b * std::size_t(width)));
            const std::int64_t first = std::int64_t(row.tokens.size()) - std::int64_t(row.targets.size());
            for (std::size_t t = 0; t < row.targets.size(); ++t) {
                positions.push_back(std::int64_t(b) * width + first + std::int64_t(t));
                targets.push_back(row.targets[t]);
            }
        }
        at::Tensor input = at::tensor(ids, at::kLong).view({std::int64_t(count), width}).to(device);
        at::Tensor hidden = model.embed(input);
        for (std::size_t l = 0; l < std::size_t(model.config().numLayers); ++l) hidden = model.forwardLayer(l, hidden);
        at::Tensor picked = hidden.reshape({std::int64_t(count) * width, hidden.size(-1)})
                                .index_select(0, at::tensor(positions, at::kLong).to(device))
                                .unsqueeze(0);
        at::Tensor logp = at::log_softmax(model.head(picked).squeeze(0).to(at::kFloat), -1);
        at::Tensor chosen = logp.gather(-1, at::tensor(targets, at::kLong).to(device).unsqueeze(-1)).squeeze(-1).to(at::kDouble).cpu();
        const double* p = chosen.data_ptr<double>();
        std::size_t k = 0;
        for (std::size_t b = 0; b < count; ++b) {
            const std::size_t i = order[next + b];
            double sum = 0;
            for (std::size_t t = 0; t < rows[i].targets.size(); ++t) sum += p[k++];
            if (!std::isfinite(sum)) throw Error("log-likelihood request " + std::to_string(i) + " is not finite; the model produced NaN or infinite logits");
            out[i] = sum;
        }
        next += count;
        if (progress && !progress(std::int64_t(next), std::int64_t(order.size()))) break;
    }
    return out;
}

}  // namespace invx
