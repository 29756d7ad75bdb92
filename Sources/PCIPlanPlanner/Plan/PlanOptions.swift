import PCIPlanModel
import PCIPlanSource

/// Options shared by `plan` and `check`.
public struct PlanOptions: Sendable {
    /// `libvirt`: derive and persist multifunction like libvirt 9.0. `explicit`: derive nothing;
    /// a slot with functions ≥ 1 whose function 0 lacks `multifunction='on'` is an error.
    public enum MultifunctionPolicy: String, Sendable, CaseIterable { case libvirt, explicit }
    public var multifunction: MultifunctionPolicy = .libvirt
    public init() {}
}
