/**
 * mrcheck's public API. Everything a model, a property file or a test needs is re-exported here
 * by name.
 */
export { t, domainValues } from './model/types.js'
export { has, remove, equalValues } from './model/sets.js'
export { get, put, hasKey, removeKey } from './model/maps.js'
export type { MapValue } from './model/maps.js'
export type {
  Type,
  TypeBase,
  ValueOf,
  AnyType,
  BoolType,
  IntType,
  EnumType,
  IndexType,
  OptionType,
  ArrayType,
  TupleType,
  RecordType,
  SetType,
  SeqType,
  MapType,
} from './model/types.js'
export { vars, param, defineModel, properties } from './model/model.js'
export type {
  Action,
  ActionDef,
  Actions,
  AnyModel,
  Fairness,
  FairGroup,
  Refinement,
  Model,
  ModelParams,
  ParamDecl,
  IntParam,
  EnumParam,
  BoolParam,
  ParamsOf,
  PropertyNames,
  PropertyNameOf,
  ParamDomain,
  Schema,
  SpecDef,
  InitPredicate,
  Actor,
  ParamDomains,
  ParamValues,
  Spec,
  SpecState,
  SpecStep,
  StateOf,
  StepOf,
  MatrixInstance,
} from './model/model.js'
export type { PropertySet, StatePredicate, ActionPredicate } from './model/properties.js'
export { eventually, always, alwaysEventually, eventuallyAlways, leadsTo, forAll } from './model/temporal.js'
export type { Temporal, Formula, LeadsToTemporal } from './model/temporal.js'
export { compileCodec } from './encode/codec.js'
export { TypeViolation } from './encode/TypeViolation.js'
export type { Codec } from './encode/codec.js'
export { fingerprintLo, fingerprintHi, fingerprint, collisionProbability } from './encode/fingerprint.js'
export { compileSymmetry, perms } from './encode/symmetry.js'
export type { Symmetry, SymmetryOptions, SymmetricType, Permutation } from './encode/symmetry.js'
export type { ReductionOptions } from './reduce/reduction.js'
export { check, checkModel } from './run/check.js'
export type { CheckOptions } from './run/check.js'
export { resume } from './run/resume.js'
export { checkCluster, clusterWorker, ClusterError } from './run/cluster.js'
export type { ClusterCheckOptions, ClusterRun, ClusterStats, ClusterWorkerOptions, ClusterWorkerOutcome, CodeIdentity } from './run/cluster.js'
export type { ResumeOptions } from './run/resume.js'
export type { CheckpointOptions } from './longrun/checkpoint.js'
export { instantiate, resolveParams } from './compile/instantiate.js'
export { policyMatrix, matrixValues, planMatrix, isUnexpected } from './run/matrix.js'
export type { ModelMatrix, MatrixRow, MatrixCell, MatrixOptions, MatrixProperty, CellStatus, Expectation } from './run/matrix.js'
export { checkTemporal } from './liveness/checkTemporal.js'
export type { TemporalOptions, TemporalViolation, TemporalResult } from './liveness/checkTemporal.js'
export type { FairnessOverride } from './liveness/resolveFairness.js'
export type { Progress, SearchOptions, StoreMode } from './search/bfs.js'
export type { ParallelOptions } from './search/parallelOptions.js'
export type { ModelSource } from './search/workerProtocol.js'
export { compileSpec } from './compile/compile.js'
export type { CompiledSpec } from './compile/compile.js'
export { enumerateInstances, formatLabel } from './compile/instances.js'
export type { Instance } from './compile/instances.js'
export { strictStep, frozen } from './compile/strictStep.js'
export { replayPath } from './trace/trace.js'
export { CheckerError } from './result/errors.js'
export type { ErrorCode } from './result/errors.js'
export type {
  CheckResult,
  Holds,
  Violated,
  Incomplete,
  Failed,
  Violation,
  ViolationKind,
  TraceStep,
  Stats,
  ActionStats,
  StopReason,
  ReductionInfo,
} from './result/result.js'
export { simulate, simulateCompiled } from './simulate/simulate.js'
export type {
  SimulateOptions,
  SimulationResult,
  SimulationOk,
  SimulationViolation,
  SimulationFailed,
  SimulationStats,
  SimulationProgress,
  WalkerOf,
} from './simulate/simulate.js'
export {
  assertHolds,
  assertModelHolds,
  assertViolates,
  assertModelViolates,
  checks,
  violates,
  expectModelHolds,
  expectModelViolates,
} from './testing/assertModel.js'
export type { TestContext, TestMacro } from './testing/assertModel.js'
export { behaviours, replayChoices } from './testing/behaviours.js'
export type { Behaviour, BehaviourOptions } from './testing/behaviours.js'
export { modelCommands, ConformanceError } from './testing/modelCommands.js'
export type { ModelCommands, ModelCommand, ModelRunState, SystemAdapter } from './testing/modelCommands.js'
export { traceToItf, encodeItfValue, encodeItfState, numberedPath } from './report/itf.js'
export type { ItfTrace, ItfState, ItfStateMeta, ItfMeta, ItfValue, ItfSource } from './report/itf.js'
export { parseItf, decodeItfStates, decodeItfValue } from './report/readItf.js'
export type { ParsedItf, StepHint } from './report/readItf.js'
export { replayTrace, holdsOnLasso } from './trace/replayTrace.js'
export type { ReplayInput, ReplayHint, ReplayResult, ReplayValid, ReplayInvalid } from './trace/replayTrace.js'
export { stateGraph, DEFAULT_MAX_NODES } from './search/stateGraph.js'
export type { StateGraph, StateGraphResult, StateGraphOptions, GraphNode, GraphEdge, GraphViolation } from './search/stateGraph.js'
export { formatDot, graphDocument } from './report/dot.js'
export { renderCheckReport } from './report/html/checkReport.js'
export type { CheckReportInput } from './report/html/checkReport.js'
export { renderMatrixReport, matrixReportModels } from './report/html/matrixReport.js'
export type { MatrixReportModel, MatrixReportRow, MatrixReportCell, MatrixReportOptions, MatrixReportProperty } from './report/html/matrixReport.js'
export { matrixDocument, mergeMatrixDocuments, unexpectedCells } from './report/matrixDocument.js'
export type { MatrixDocument, MatrixModelDoc, MatrixRowDoc, MatrixCellDoc } from './report/matrixDocument.js'
export { formatMatrix, formatMatrixMarkdown } from './report/matrixText.js'
export { renderTrace, actorsOf, lanesFor, laneOf } from './report/html/traceView.js'
export type { Actors } from './report/html/traceView.js'
