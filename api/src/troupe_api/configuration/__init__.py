"""The configuration domains checked together: validation rules across agents, agent sets, tools
and templates (``rules``), the validated writes that need the rest of the organization
(``writes``) and template clones (``template_clone``). Session start lives in ``flows``."""
