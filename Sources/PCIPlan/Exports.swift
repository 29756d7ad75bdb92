// The umbrella module: `import PCIPlan` gives a user every stage.
@_exported import PCIPlanModel
@_exported import PCIPlanOutput
@_exported import PCIPlanPlanner
@_exported import PCIPlanSource
