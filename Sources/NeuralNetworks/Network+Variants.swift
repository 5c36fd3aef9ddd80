import Tensors

/// A layer that can stand for several copies of itself side by side: the
/// widened layer has `factor` times the outputs, and its parameters are the
/// copies' parameters concatenated along the output axis (the last one).
public protocol WidenableLayer: Layer {
    func widened(by factor: Int) -> any Layer
}

extension Linear: WidenableLayer {
    public func widened(by factor: Int) -> any Layer {
        Linear(inputDimensions: inputDimensions, outputDimensions: outputDimensions * factor)
    }
}

extension Conv2D: WidenableLayer {
    public func widened(by factor: Int) -> any Layer {
        Conv2D(inputChannels: inputChannels, outputChannels: outputChannels * factor,
               kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

extension Network {
    /// Runs the network with each of `variants` (parameter sets of this
    /// network) over all rows of `input`, in parallel over fixed chunks, and
    /// hands every (chunk, variant) result to `body` as it is produced.
    ///
    /// The first real layer of all variants runs as one widened product (K
    /// weight sets side by side in one GEMM, the input read once); the
    /// channel-wise layers after it (ReLU, max pooling, inference dropout)
    /// run once on that wide output; a linear layer next reads each variant's
    /// column block in place; the rest runs per variant. `body` is called
    /// concurrently for different chunks and variants and must write disjoint memory.
    /// Results do not depend on the worker count. Without `embeddings`, the
    /// embedding handed to `body` is empty unless it comes for free.
    public func inferVariants(_ input: Tensor, variants: [ParameterSet], chunk: Int = 4096, embeddings: Bool = true,
                              body: (_ rows: Range<Int>, _ variant: Int, _ output: Tensor, _ embedding: Tensor) -> Void) {
        guard !variants.isEmpty else { return }
        var first = 0
        while first < entries.count - 1, entries[first].layer is Flatten { first += 1 }
        guard let widenable = entries[first].layer as? WidenableLayer else {
            Parallel.forEachRange(count: input.rowCount, grain: chunk) { rows in
                for (k, parameters) in variants.enumerated() {
                    var context = ForwardContext.inference
                    let (output, embedding) = forwardChunk(input, rows: rows, parameters: parameters, context: &context)
                    body(rows, k, output, embedding)
                }
            }
            return
        }
        let factor = variants.count
        let wide = widenable.widened(by: factor)
        let wideParameters = parameterRanges[first].map { index in Self.concatenateLastAxis(variants.map { $0.tensors[index] }) }
        var shared = first + 1
        while shared < entries.count, Self.isChannelwise(entries[shared].layer) { shared += 1 }
        // Layers first..<shared run on the wide output; `shared` may read it in place.
        func run(_ rows: Range<Int>) {
            var context = ForwardContext.inference
            var all: Tensor
            var start = first + 1
            if let fused = fusedStep(first, layer: wide, of: input, rows: rows, parameters: wideParameters[...], context: context),
               fused.next <= shared {
                // Fixed 4-sample blocks: the same bits whether or not it runs in parallel.
                (all, start) = fused
            } else {
                // One block, as inside a parallel loop (the row blocking of a product must not depend on it).
                all = Parallel.asOneBlock {
                    if let linear = wide as? Linear, start < shared, entries[start].layer is ReLU {
                        start += 1
                        return linear.forwardRows(of: input, rows, parameters: wideParameters[...], rectify: true)
                    }
                    return wide.forwardRows(of: input, rows, parameters: wideParameters[...], context: &context)
                }
            }
            for index in start..<shared {
                all = entries[index].layer.forward(consume all, parameters: [], context: &context).output
            }
            let width = (all.shape.last ?? 1) / factor
            let wideOutput = all
            Parallel.forEach(blocks: factor) { k in
                let parameters = variants[k]
                var context = ForwardContext.inference
                var embedding: Tensor?
                if embeddingLayer < first { embedding = input.rows(rows) }
                if embeddingLayer >= first, embeddingLayer < shared, embeddings { embedding = Self.slice(wideOutput, variant: k, of: factor) }
                var x: Tensor
                var next = shared
                if shared < entries.count, let linear = entries[shared].layer as? Linear, wideOutput.rank == 2 {
                    x = linear.forward(columns: (k * width)..<((k + 1) * width), of: wideOutput, parameters: parameters.tensors[parameterRanges[shared]])
                    next = shared + 1
                    if embeddingLayer == shared { embedding = x }
                } else {
                    x = Self.slice(wideOutput, variant: k, of: factor)
                }
                while next < entries.count {
                    let after = inferenceStep(next, &x, parameters: parameters.tensors[parameterRanges[next]], context: &context)
                    if (next..<after).contains(embeddingLayer) { embedding = x }
                    next = after
                }
                let features = embedding ?? Tensor(shape: [rows.count, 0])
                body(rows, k, x.reshaped([rows.count, x.rowWidth]), features.reshaped([rows.count, features.rowWidth]))
            }
        }
        // Enough chunks for every core: one chunk per worker (the variants of
        // a chunk run inline there). Fewer: chunk after chunk, each spread
        // over the cores (the wide convolution by sample blocks, then the
        // variants). Every value is computed the same way in both.
        let n = input.rowCount
        if (n + chunk - 1) / max(1, chunk) >= Parallel.workers {
            Parallel.forEachRange(count: n, grain: chunk, run)
        } else {
            for start in stride(from: 0, to: n, by: max(1, chunk)) { run(start..<min(n, start + chunk)) }
        }
    }

    /// Layers that act on each channel (last axis) separately and own no
    /// parameters, so they commute with taking a variant's channel block.
    static func isChannelwise(_ layer: any Layer) -> Bool {
        layer is ReLU || layer is MaxPool2D || layer is Dropout
    }

    /// Tensors of equal shape joined along their last axis.
    static func concatenateLastAxis(_ parts: [Tensor]) -> Tensor {
        let shape = parts[0].shape
        let width = shape.last ?? 1
        let rows = parts[0].count / max(1, width)
        let factor = parts.count
        return Tensor(shape: Array(shape.dropLast()) + [width * factor]) { out in
            for (k, part) in parts.enumerated() {
                part.scalars.withUnsafeBufferPointer { source in
                    for r in 0..<rows {
                        (out.baseAddress! + (r * factor + k) * width).update(from: source.baseAddress! + r * width, count: width)
                    }
                }
            }
        }
    }

    /// Variant `k`'s block of the last axis of a widened output.
    static func slice(_ wide: Tensor, variant k: Int, of factor: Int) -> Tensor {
        let width = (wide.shape.last ?? 1) / factor
        let rows = wide.count / max(1, width * factor)
        return wide.scalars.withUnsafeBufferPointer { source in
            Tensor(shape: Array(wide.shape.dropLast()) + [width]) { out in
                for r in 0..<rows {
                    (out.baseAddress! + r * width).update(from: source.baseAddress! + (r * factor + k) * width, count: width)
                }
            }
        }
    }
}
