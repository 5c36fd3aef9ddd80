import Foundation

/// A learning-curve chart as standalone SVG: per strategy the mean over
/// seeds as a line with markers and a ±1 standard-deviation band, labelled
/// axes with round ticks, and a legend. Colours are the Okabe–Ito palette,
/// readable by colour-blind readers. No scripts, no external fonts.
public enum SVGChart {
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999933"]
    static let (width, height) = (760.0, 440.0)
    static let (left, right, top, bottom) = (72.0, 190.0, 44.0, 58.0)

    public static func color(_ index: Int) -> String { palette[index % palette.count] }

    public static func render(_ summary: Summary, metric: String) -> String {
        let strategies = summary.results.strategies
        let curves = strategies.map { summary.curves[metric]?[$0] ?? [] }
        let points = curves.flatMap { $0 }
        let xs = points.map { Double($0.labeled) }
        let lows = points.map { $0.mean - $0.std }, highs = points.map { $0.mean + $0.std }
        let (x0, x1) = (xs.min() ?? 0, max(xs.max() ?? 1, (xs.min() ?? 0) + 1))
        var (y0, y1) = (lows.min() ?? 0, highs.max() ?? 1)
        if y1 - y0 < 1e-9 { y0 -= 0.5; y1 += 0.5 }
        let yTicks = ticks(y0, y1)
        let xTicks = ticks(x0, x1)
        y0 = min(y0, yTicks.first ?? y0)
        y1 = max(y1, yTicks.last ?? y1)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * plotHeight }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var svg: [String] = []
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">")
        svg.append("<title>\(escape("\(summary.results.workflow): \(metric) by labelled-set size"))</title>")
        svg.append("<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>")
        svg.append("<text x=\"\(f(left))\" y=\"24\" font-size=\"15\" font-weight=\"bold\">\(escape("\(summary.results.workflow) — \(metric)"))</text>")
        // Grid and ticks.
        for tick in yTicks where tick >= y0 - 1e-12 && tick <= y1 + 1e-12 {
            svg.append("<line x1=\"\(f(left))\" y1=\"\(f(py(tick)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(py(tick)))\" stroke=\"#e5e5e5\"/>")
            svg.append("<text x=\"\(f(left - 8))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(label(tick, ticks: yTicks))</text>")
        }
        for tick in xTicks where tick >= x0 - 1e-9 && tick <= x1 + 1e-9 {
            svg.append("<line x1=\"\(f(px(tick)))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(px(tick)))\" y2=\"\(f(top + plotHeight + 5))\" stroke=\"#333333\"/>")
            svg.append("<text x=\"\(f(px(tick)))\" y=\"\(f(top + plotHeight + 20))\" text-anchor=\"middle\">\(label(tick, ticks: xTicks))</text>")
        }
        svg.append("<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#333333\"/>")
        svg.append("<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 14))\" text-anchor=\"middle\">labelled samples</text>")
        svg.append("<text transform=\"translate(18 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(axisLabel(metric)))</text>")
        // Bands, then lines and markers on top.
        for (index, curve) in curves.enumerated() where curve.count > 1 {
            let upper = curve.map { "\(f(px(Double($0.labeled)))),\(f(py($0.mean + $0.std)))" }
            let lower = curve.reversed().map { "\(f(px(Double($0.labeled)))),\(f(py($0.mean - $0.std)))" }
            svg.append("<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color(index))\" fill-opacity=\"0.15\" stroke=\"none\"/>")
        }
        for (index, curve) in curves.enumerated() where !curve.isEmpty {
            let path = curve.map { "\(f(px(Double($0.labeled)))),\(f(py($0.mean)))" }.joined(separator: " ")
            svg.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color(index))\" stroke-width=\"2.2\"/>")
            for point in curve {
                svg.append("<circle cx=\"\(f(px(Double(point.labeled))))\" cy=\"\(f(py(point.mean)))\" r=\"3.2\" fill=\"\(color(index))\"><title>\(escape(String(format: "%@ at %d labels: %.4f ± %.4f (n = %d)", strategies[index], point.labeled, point.mean, point.std, point.count)))</title></circle>")
            }
        }
        // Legend.
        let legendX = left + plotWidth + 18
        for (index, strategy) in strategies.enumerated() {
            let y = top + 10 + Double(index) * 22
            svg.append("<line x1=\"\(f(legendX))\" y1=\"\(f(y))\" x2=\"\(f(legendX + 22))\" y2=\"\(f(y))\" stroke=\"\(color(index))\" stroke-width=\"3\"/>")
            svg.append("<text x=\"\(f(legendX + 28))\" y=\"\(f(y + 4))\">\(escape(strategy))</text>")
        }
        svg.append("<text x=\"\(f(legendX))\" y=\"\(f(top + 16 + Double(strategies.count) * 22))\" fill=\"#555555\" font-size=\"11\">band: ±1 std over seeds</text>")
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    static func axisLabel(_ metric: String) -> String {
        switch metric {
        case "accuracy": return "test accuracy"
        case "rmse": return "test RMSE"
        case "mae": return "test MAE"
        default: return metric
        }
    }

    /// About five round ticks covering [low, high].
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let span = max(high - low, 1e-12)
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var tick = floor(low / step) * step
        var result: [Double] = []
        while tick <= high + step * 1e-9 {
            result.append(tick)
            tick += step
        }
        return result
    }

    static func label(_ value: Double, ticks: [Double]) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        let decimals = max(0, Int(ceil(-log10(step) + 1e-9)))
        return String(format: "%.\(decimals)f", abs(value) < step * 1e-9 ? 0 : value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
